// Typings for dns-packet's type table (not covered by @types/dns-packet).
declare module 'dns-packet/types.js' {
  export function toString(type: number): string;
  export function toType(name: string): number;
}

// Typings for dns-packet's class table.
declare module 'dns-packet/classes.js' {
  export function toString(klass: number): string;
  export function toClass(name: string): number;
}
