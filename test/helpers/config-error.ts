// The message a config text is refused with ('no error' when it loads), for tests of the loader's errors.
import { parseConfig } from '../../src/config/load.js';

export function configErrorOf(text: string, path = 'rootline.yaml'): string {
  try {
    parseConfig(text, path);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}
