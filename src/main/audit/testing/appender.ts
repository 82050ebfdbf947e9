// Test helper (not part of the app): appends audit entries to a log in a loop and prints
// "ack <seq>" on stdout after each one is acknowledged (durably written). The tests kill it
// at a random moment, or run it under a file size limit, and check what the file holds.
//
//   node --import tsx src/main/audit/testing/appender.ts <log> [--count N] [--reason-bytes N]
//
// On a failed append it prints "error <message>" and exits with 3.
import { AuditLog } from '../log';

const [path, ...rest] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: appender.ts <log> [--count N] [--reason-bytes N]\n');
  process.exit(2);
}
const opt = (name: string, dflt: number) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? Number(rest[i + 1]) : dflt;
};
const count = opt('count', Infinity);
const reasonBytes = opt('reason-bytes', 0);

const log = new AuditLog(path);
const opened = await log.open();
process.stdout.write(`open ${opened.head?.seq ?? 0}${opened.setAside ? ` set-aside ${opened.setAside.bytes}` : ''}\n`);
for (let i = 0; i < count; i++) {
  // Reasons of varying length so line ends fall anywhere in the file's blocks.
  const len = reasonBytes > 0 ? reasonBytes : 1 + Math.floor(Math.random() * 300);
  try {
    const e = await log.append({
      actor: 'sip:supervisor@example.test',
      subject: 'sip:agent-7@example.test',
      call: `call-${process.pid}-${i}@example.test`,
      action: i % 5 === 0 ? 'join' : 'mode',
      mode: (['listen', 'whisper', 'barge'] as const)[i % 3],
      result: 'ok',
      reason: 'r'.repeat(Math.min(len, 400)),
    });
    process.stdout.write(`ack ${e.seq}\n`);
  } catch (e) {
    process.stdout.write(`error ${(e as Error).message}\n`);
    await log.close();
    process.exit(3);
  }
}
await log.close();
process.stdout.write('done\n');
