// pino-roll ships no types: what ModelDock uses of it (pino-roll.js's JSDoc).
declare module 'pino-roll' {
  import type { SonicBoom, SonicBoomOpts } from 'sonic-boom';

  interface PinoRollOptions extends Omit<SonicBoomOpts, 'dest'> {
    /** Base path; pino-roll appends `.<number>` and the extension. */
    file: string;
    /** Roll at this size: a number of megabytes, or `'<n>k'`, `'<n>m'`, `'<n>g'`. */
    size?: string | number;
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    /** Files kept in addition to the current one. */
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    symlink?: boolean;
  }

  export default function pinoRoll(options: PinoRollOptions): Promise<SonicBoom>;
}
