// Policy changes made at run time from the control channel (`ctl blocklist disable`, the dashboard's Policy page):
// lists switched off and names added to the allowlist. Kept beside the caches, so every core a reload builds
// applies them again; a restart goes back to the config file.

export class PolicyOverrides {
  /** Blocklist paths switched off (as they appear in the config's blocklists). */
  readonly disabledLists = new Set<string>();
  /** Names added to the allowlist, in the order they were added. */
  readonly allowed: string[] = [];

  /** The lists a core should load: the configured ones not switched off. */
  enabledLists(configured: readonly string[]): string[] {
    return configured.filter((p) => !this.disabledLists.has(p));
  }

  /** The allowlist a core should use: the config's entries and the ones added since. */
  allowlist(configured: readonly string[]): string[] {
    return [...configured, ...this.allowed.filter((n) => !configured.includes(n))];
  }

  allow(name: string): boolean {
    if (this.allowed.includes(name)) return false;
    this.allowed.push(name);
    return true;
  }
}
