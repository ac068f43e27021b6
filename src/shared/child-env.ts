/**
 * What a child process may inherit: where programs, home and temporary files are, language and
 * time zone (and on Windows what a program needs to start at all). Nothing else: the connector's
 * environment holds its secrets (webhook secret, master key, Sage and Mailchimp credentials, codec
 * token), and /proc/<pid>/environ of a child is one more place for them to be read.
 */
const ALLOWED = [
  'PATH',
  'HOME',
  'TMPDIR',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  // Windows: without these a Go program (the temporal CLI) cannot find its profile or temp folder.
  'SYSTEMROOT',
  'WINDIR',
  'TEMP',
  'TMP',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
];

export function childEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  // Windows spells these in any case (Path, SystemRoot); the child gets them under the name given.
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && ALLOWED.includes(name.toUpperCase())) out[name] = value;
  return out;
}
