// A problem found in one YAML node of the config file: the loader turns it into an error naming the node's line.
import type { Node } from 'yaml';

export class ConfigNodeError extends Error {
  constructor(
    /** Where the problem is; null: at the key. */
    readonly node: Node | null,
    message: string,
  ) {
    super(message);
  }
}
