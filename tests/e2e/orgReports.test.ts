// Team reports and QA review end to end: desks (the web build in Chromium, registered to Kamailio)
// take calls, upload them (and their recordings) signed to the org service on a real PostgreSQL;
// the supervisor's Reports view shows their team and nothing else; QA scores a recorded call from
// another desk and the agent acknowledges it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgres, startPostgres, type PostgresServer } from '../../src/node/postgresServer';
import { openPostgres, type SqlDb } from '../../src/server/db';
import { migrate } from '../../src/server/migrations';
import { filePolicySource } from '../../src/server/policySource';
import { OrgService } from '../../src/server/service';
import { FileBlobStore } from '../../src/server/blobStore';
import { readRecordingTrack } from '../../src/server/recordingStore';
import type { Party } from '../support/browser';
import { makeOrgPolicy, refreshPolicy, supervisorPublicKey } from '../support/policy';
import { useScenario } from '../support/scenario';
import { dial, expectHears, signIn, waitCallState, waitRegistered, wrapUp } from '../support/phoneDriver';

const accounts = { '1001': 'agent-pw', '1003': 'sales-pw', '2001': 'customer-pw', '1101': 'supervisor-pw', '1301': 'qa-pw' };
const tones = { agent: 600, sales: 700, customer: 1000, supervisor: 1400, qa: 1700 };

const postgres = findPostgres();
const describeWithPostgres = postgres.found ? describe : describe.skip;
if (!postgres.found) console.log(`skipped: team reports against PostgreSQL: ${postgres.reason}`);

describeWithPostgres('team reports through the org service on PostgreSQL', () => {
  const scenario = useScenario(accounts, tones);
  let pg: PostgresServer;
  let db: SqlDb;
  let service: OrgService;
  let dir: string;
  let agent: Party, sales: Party, customer: Party, supervisor: Party, qa: Party;
  let blobDir: string;
  const domain = () => scenario.sip.domain;
  const callsOf = async (ext: string) => (await db.query<{ n: number }>('select count(*)::int as n from calls where agent = $1', [`${ext}@${domain()}`]))[0].n;

  beforeAll(async () => {
    ({ agent, sales, customer, supervisor, qa } = scenario.party);
    pg = await startPostgres();
    db = await openPostgres(pg.url);
    await migrate(db);
    dir = await mkdtemp(join(tmpdir(), 'wl-org-e2e-'));
    // The service reads the same signed policy file IT publishes to the desks.
    blobDir = join(dir, 'recordings');
    service = new OrgService({ db, blobs: new FileBlobStore(blobDir), policy: filePolicySource(join(dir, 'policy.signed.json'), join(dir, 'admin.pub'), { checkMs: 0 }), log: (line) => console.log(line) });
    const serviceUrl = await service.listen(0);

    const sign = (p: Party, ext: keyof typeof accounts, role?: 'supervisor') =>
      signIn(p.page, { server: scenario.sip.wsUrl, domain: domain(), extension: ext, password: accounts[ext], ...(role ? { role } : {}) });
    await sign(agent, '1001');
    await sign(sales, '1003');
    await sign(customer, '2001');
    await sign(supervisor, '1101', 'supervisor');
    await sign(qa, '1301', 'supervisor');
    for (const p of [agent, sales, customer, supervisor, qa]) await waitRegistered(p.page);
    // IT enrols each desk's key (Settings → Organisation) and names the org service in the policy.
    const keys = { '1001': await supervisorPublicKey(agent.page), '1003': await supervisorPublicKey(sales.page), '1101': await supervisorPublicKey(supervisor.page), '1301': await supervisorPublicKey(qa.page) };
    const published = await makeOrgPolicy(domain(), keys, (input) => {
      // Every call recorded, recordings sent to the org service, one scorecard for QA.
      input.orgService = { url: serviceUrl, recordings: true };
      input.recording = { ...input.recording, calls: '*' };
      input.qa = { scorecards: [{ id: 'basic', name: 'Basic call quality', items: [{ id: 'greeting', label: 'Greeting', points: 5 }, { id: 'resolution', label: 'Resolution', points: 10 }] }] };
    });
    await writeFile(join(dir, 'policy.signed.json'), published.signedText);
    await writeFile(join(dir, 'admin.pub'), `${published.adminPub}\n`);
    scenario.site.publish(published);
    for (const p of [agent, sales, supervisor, qa]) await refreshPolicy(p.page, 'active', published.keyId);
  });

  afterAll(async () => {
    await service?.close();
    await db?.close();
    await pg?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function customerCall(ext: '1001' | '1003', who: Party, during: () => Promise<void>, resolved: boolean): Promise<void> {
    await dial(customer.page, ext);
    await waitCallState(who.page, 'ringing');
    await who.page.getByTestId('answer').click();
    await expectHears(who, tones.customer);
    await during();
    await customer.page.getByTestId('hangup').first().click();
    await wrapUp(who.page, { resolved });
  }

  it('uploads each desk’s calls once, and the supervisor sees their team only, coached and not side by side', async () => {
    // A coached call: the team lead listens, then whispers.
    await customerCall(
      '1001',
      agent,
      async () => {
        await supervisor.page.getByTestId('supervise-target').fill('1001');
        await supervisor.page.getByTestId('supervise-listen').click();
        await supervisor.page.locator('[data-testid="supervision"][data-mode="listen"]').waitFor();
        await supervisor.page.getByTestId('mode-whisper').click();
        await supervisor.page.locator('[data-testid="supervision"][data-mode="whisper"]').waitFor();
        await expectHears(agent, tones.supervisor);
        await supervisor.page.getByTestId('leave').click();
      },
      true,
    );
    // One without coaching, and one in Sales, a team the lead does not lead.
    await customerCall('1001', agent, async () => undefined, false);
    await customerCall('1003', sales, async () => undefined, true);

    await expect.poll(() => callsOf('1001'), { timeout: 60_000 }).toBe(2);
    await expect.poll(() => callsOf('1003'), { timeout: 60_000 }).toBe(1);
    await expect.poll(async () => (await db.query<{ n: number }>('select count(*)::int as n from supervision_sessions'))[0].n, { timeout: 60_000 }).toBe(1);
    const coached = await db.query<{ coached: boolean; modes: string }>('select coached, modes from calls where agent = $1 order by started_at', [`1001@${domain()}`]);
    expect(coached).toEqual([expect.objectContaining({ coached: true, modes: expect.stringContaining('whisper') }), expect.objectContaining({ coached: false })]);

    const page = supervisor.page;
    await page.getByTestId('open-reports').click();
    await page.getByTestId('reports-run').click();
    await expect.poll(() => page.getByTestId('reports-total-calls').getAttribute('data-value')).toBe('2');
    await page.getByTestId('reports-tab-agents').click();
    const row = page.locator(`[data-testid="reports-row-agents"][data-key="1001@${domain()}"]`);
    await row.waitFor();
    await expect.poll(() => row.locator('[data-field="calls"]').textContent()).toBe('2');
    expect(await page.locator(`[data-testid="reports-row-agents"][data-key="1003@${domain()}"]`).count()).toBe(0);
    await page.getByTestId('reports-tab-supervisors').click();
    await page.locator(`[data-testid="reports-row-supervisors"][data-key="1101@${domain()}"]`).waitFor();
    await page.getByTestId('reports-close').click();
  });

  it('QA scores a call recorded on another desk, played from the org service, and the agent acknowledges it', async () => {
    const me = `1001@${domain()}`;
    const complete = async () => (await db.query<{ n: number }>('select count(*)::int as n from recordings where agent = $1 and complete', [me]))[0].n;
    await expect.poll(complete, { timeout: 90_000 }).toBe(2);
    // The audio is in the blob store, not in the database, and comes back byte for byte as the desk recorded it.
    const [rec] = await db.query<{ id: string }>('select id from recordings where agent = $1 order by started_at limit 1', [me]);
    const atDesk = await scenario.rig.recordings.store.trackFile(rec.id, 'customer');
    const atService = await readRecordingTrack(db, new FileBlobStore(blobDir), rec.id, 'customer', [me]);
    expect(atDesk && atDesk.length).toBeGreaterThan(44 + 16_000);
    expect(Buffer.from(atService).equals(Buffer.from(atDesk!))).toBe(true);

    const page = qa.page;
    await page.getByTestId('open-recordings').click();
    await page.getByTestId('recordings-source-org').click();
    const rows = page.getByTestId('recording-row');
    // QA reviews every team: both of 1001's calls and the Sales agent's.
    await expect.poll(() => rows.count()).toBe(3);
    await rows.filter({ hasText: me }).first().click();
    // The player plays what the org service holds: each track of the call, full length.
    await expect.poll(() => page.getByTestId('player').getAttribute('data-state')).toBe('ready');
    // Comments on the organisation's recording go in the evaluation, not in the desk's own comment box.
    await page.getByTestId('comments-elsewhere').waitFor();
    expect(await page.getByTestId('comment-add').count()).toBe(0);
    await page.getByTestId('qa-score-greeting').fill('4');
    await page.getByTestId('qa-score-resolution').fill('9');
    await expect.poll(() => page.getByTestId('qa-total').getAttribute('data-points')).toBe('13');
    await page.getByTestId('qa-comment-text').fill('Clear greeting');
    await page.getByTestId('qa-comment-add').click();
    await page.getByTestId('qa-submit').click();
    await page.getByTestId('qa-saved').waitFor();
    await page.getByTestId('recordings-close').click();

    await agent.page.getByTestId('open-evaluations').click();
    const evaluation = agent.page.getByTestId('evaluation');
    await expect.poll(() => evaluation.getAttribute('data-acknowledged')).toBe('false');
    await expect.poll(() => agent.page.getByTestId('evaluation-score').getAttribute('data-points')).toBe('13');
    await agent.page.getByTestId('evaluation-ack-comment').fill('Thanks');
    await agent.page.getByTestId('evaluation-ack').click();
    await expect.poll(() => evaluation.getAttribute('data-acknowledged')).toBe('true');
    await agent.page.getByTestId('evaluations-close').click();
    const [stored] = await db.query<{ evaluator: string; points: number; acknowledged: boolean; agent_comment: string }>('select evaluator, points, acknowledged_at is not null as acknowledged, agent_comment from evaluations');
    expect(stored).toEqual({ evaluator: `1301@${domain()}`, points: 13, acknowledged: true, agent_comment: 'Thanks' });

    // The Sales agent's recording is not the team lead's to hear: the lead's list holds 1001's calls only.
    await supervisor.page.getByTestId('open-recordings').click();
    await supervisor.page.getByTestId('recordings-source-org').click();
    await expect.poll(() => supervisor.page.getByTestId('recording-row').count()).toBe(2);
    await supervisor.page.getByTestId('recordings-close').click();
  });
});
