/**
 * Reading a router's configuration script (`/export`) over the management API.
 *
 * What real routers answer (found while checking how RouterOS answers `/export` over the API):
 *   - A bare `/export` answers neither `=ret=` nor `{ret}`: RouterOS 6.43–6.45 sends only `!done`
 *     (EvilFreelancer/routeros-api-php issue #32, "+100 routers tested"), `/export compact` gives no
 *     rows (GideonLeGrange/mikrotik-java issue #78), and "using any export command doesn't get the
 *     expected results; using it with a file argument works" (pear2/Net_RouterOS issue #1). Console
 *     output is not sent back to API clients.
 *   - RouterOS 7: `/execute =script=/export =as-string=yes` runs the script, blocks, and hands its
 *     output back in the `!done` reply as `=ret=` — verified on 7.18.2 and 7.23.5 by napalm-ros
 *     (napalm_ros/ros.py, `_execute`); RouterOS 6 refuses the parameter ("unknown parameter").
 *   - REST (v7): MikroTik's REST API page describes it as a JSON wrapper of the API commands, so
 *     `POST /rest/execute {"script":"/export","as-string":"yes"}` should answer the `!done` value
 *     as `{"ret": "…"}`, the form RestClient.run reads. This is inferred from that description, not
 *     seen on a live router; no source found shows `POST /rest/export` returning the text.
 *   - RouterOS 6: `/export =file=NAME` writes NAME.rsc and answers a bare `!done`; `/file/print`
 *     shows a file's `contents` only while it is small (about 4 KB; larger exports need
 *     `/file/read`, RouterOS 7.13+, or SSH: napalm-ros README and ros.py `_execute_to_file`).
 * So: `/execute … as-string` first; on "unknown parameter", the file route, refusing clearly when
 * the file is too large to read over the API. Line ends come back as CRLF from a script; kept as LF.
 */
import type { RouterClient } from './client.ts';
import { RouterProtocolError, RouterTrapError } from './errors.ts';

const FILE = 'uplink-export';

const lf = (text: string) => text.replace(/\r\n/g, '\n');

export async function exportConfiguration(client: RouterClient, opts: { pollMs?: number; attempts?: number } = {}): Promise<string> {
  try {
    const { ret } = await client.run('/execute', { script: '/export', 'as-string': 'yes' });
    if (ret !== null && ret !== '') return lf(ret);
    throw new RouterProtocolError('/execute of /export answered no configuration text');
  } catch (err) {
    if (!(err instanceof RouterTrapError) || !/unknown parameter/i.test(err.message)) throw err;
  }
  return exportThroughFile(client, opts.pollMs ?? 200, opts.attempts ?? 15);
}

/** RouterOS 6: the export written to a file, read back from /file, and the file removed. */
async function exportThroughFile(client: RouterClient, pollMs: number, attempts: number): Promise<string> {
  await client.run('/export', { file: FILE });
  const name = `${FILE}.rsc`;
  let row: Record<string, string> | undefined;
  // The file appears once the export has been written.
  for (let i = 0; i < attempts && !row; i++) {
    row = (await client.print('/file', { where: { name }, proplist: ['.id', 'size', 'contents'] }))[0];
    if (!row) await new Promise((r) => setTimeout(r, pollMs));
  }
  if (!row) throw new RouterProtocolError(`/export file=${FILE} wrote no ${name}`);
  try {
    const size = Number(row.size ?? 0);
    if (row.contents === undefined && size > 0)
      throw new RouterProtocolError(`the configuration (${size} bytes) is larger than RouterOS 6 shows over the API (about 4 KB); back it up over RouterOS 7.13 or later`);
    return lf(row.contents ?? '');
  } finally {
    if (row['.id']) await client.remove('/file', row['.id']).catch(() => undefined);
  }
}
