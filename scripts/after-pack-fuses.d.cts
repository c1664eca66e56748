// Types for the CommonJS afterPack hook, so tests import it under TypeScript strict.
import type { FuseConfig } from '@electron/fuses';

interface AfterPackContextLike {
  appOutDir: string;
  electronPlatformName: string;
  arch: number;
  packager: { appInfo: { productFilename: string }; executableName?: string };
}

declare function afterPack(context: AfterPackContextLike): Promise<void>;
declare namespace afterPack {
  const MODELDOCK_FUSES: Readonly<Record<string, boolean>>;
  function fuseConfig(resetAdHocDarwinSignature: boolean): FuseConfig;
  function electronBinaryPath(context: AfterPackContextLike): string;
  function fusesNotSet(binaryPath: string): Promise<string[]>;

  export { afterPack as default, electronBinaryPath, fuseConfig, fusesNotSet, MODELDOCK_FUSES };
}
export = afterPack;
