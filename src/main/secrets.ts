/** The slice of Electron's safeStorage this module needs; replaced in tests. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export interface SecretSlot {
  get(): string | undefined;
  set(value: string | undefined): void;
}

/**
 * The SIP password, encrypted with the OS keychain (safeStorage) and stored as base64. Where the
 * OS offers no encryption it is kept in memory only, never written in plain text.
 */
export class PasswordVault {
  private memoryOnly: string | null = null;

  constructor(
    private readonly safeStorage: SafeStorageLike,
    private readonly slot: SecretSlot,
  ) {}

  get(): string | null {
    if (this.memoryOnly !== null) return this.memoryOnly;
    const stored = this.slot.get();
    if (!stored || !this.safeStorage.isEncryptionAvailable()) return null;
    try {
      return this.safeStorage.decryptString(Buffer.from(stored, 'base64'));
    } catch {
      // Encrypted under another OS user or keychain: the user must type it again.
      return null;
    }
  }

  set(password: string): { persisted: boolean } {
    if (!this.safeStorage.isEncryptionAvailable()) {
      this.memoryOnly = password;
      this.slot.set(undefined);
      return { persisted: false };
    }
    this.memoryOnly = null;
    this.slot.set(this.safeStorage.encryptString(password).toString('base64'));
    return { persisted: true };
  }

  has(): boolean {
    return this.get() !== null;
  }
}
