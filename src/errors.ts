// The one registry of stable error codes that leave a module. Tests assert on the code, users search for it.

export const ErrorCode = {
  CONFIG_FILE: 'RL_ERR_CONFIG_FILE',
  CONFIG_KEY: 'RL_ERR_CONFIG_KEY',
  CONFIG_VALUE: 'RL_ERR_CONFIG_VALUE',
  LISTEN_ADDR: 'RL_ERR_LISTEN_ADDR',
  PORT_IN_USE: 'RL_ERR_PORT_IN_USE',
  PORT_PRIVILEGED: 'RL_ERR_PORT_PRIVILEGED',
  ADDR_NOT_AVAILABLE: 'RL_ERR_ADDR_NOT_AVAILABLE',
  LISTEN_FAILED: 'RL_ERR_LISTEN_FAILED',
  ROOT_HINTS: 'RL_ERR_ROOT_HINTS',
  BLOCKLIST: 'RL_ERR_BLOCKLIST',
  HOSTS_FILE: 'RL_ERR_HOSTS_FILE',
  BAD_ARGUMENT: 'RL_ERR_BAD_ARGUMENT',
  CONTROL_SOCKET: 'RL_ERR_CONTROL_SOCKET',
  PRIVILEGES: 'RL_ERR_PRIVILEGES',
  TLS_CERTIFICATE: 'RL_ERR_TLS_CERTIFICATE',
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error meant for the user: one line of `message`, a stable `code`. */
export class RootlineError extends Error {
  constructor(
    readonly code: ErrorCodeValue,
    message: string,
  ) {
    super(message);
    this.name = 'RootlineError';
  }
}
