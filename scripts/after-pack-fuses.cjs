// electron-builder afterPack hook: flips Electron fuses in the packaged binary before it is signed,
// so the shipped app can't be turned into a plain Node runtime or have its code swapped.
// CommonJS because electron-builder require()s hooks; the settings are exported for tests.
const path = require('node:path');
const { flipFuses, getCurrentFuseWire, FuseV1Options, FuseVersion } = require('@electron/fuses');

// Byte values of a fuse in the wire ('1' and '0'); @electron/fuses doesn't export its FuseState enum.
const FUSE_ENABLED = 0x31;
const FUSE_DISABLED = 0x30;

/** The fuses ModelDock sets, by @electron/fuses option name. */
const MODELDOCK_FUSES = Object.freeze({
  // ELECTRON_RUN_AS_NODE would turn the signed app into a general-purpose Node interpreter.
  RunAsNode: false,
  // Chromium's cookie store encrypted with the OS keychain, like Chrome.
  EnableCookieEncryption: true,
  // NODE_OPTIONS could inject --require of arbitrary code into main.
  EnableNodeOptionsEnvironmentVariable: false,
  // --inspect / SIGUSR1 would attach a debugger to main with full Node access.
  EnableNodeCliInspectArguments: false,
  // The asar must match the hash electron-builder records in the app (Info.plist / Windows resource).
  EnableEmbeddedAsarIntegrityValidation: true,
  // Together with the integrity check: no loose app folder next to app.asar can replace our code.
  OnlyLoadAppFromAsar: true,
  // The window loads the renderer from app:// (main/electron/app-protocol.ts), not file://, so no page
  // needs file://'s extra powers (fetching and framing other local files, universal access from file URLs).
  GrantFileProtocolExtraPrivileges: false,
});

/** The @electron/fuses config for MODELDOCK_FUSES; ad-hoc re-signing for Apple silicon builds. */
function fuseConfig(resetAdHocDarwinSignature) {
  const config = { version: FuseVersion.V1, resetAdHocDarwinSignature };
  for (const [name, enabled] of Object.entries(MODELDOCK_FUSES)) config[FuseV1Options[name]] = enabled;
  return config;
}

// electron-builder's Arch enum: ia32 0, x64 1, armv7l 2, arm64 3, universal 4.
const ARCH_ARM64 = 3;
const ARCH_UNIVERSAL = 4;

/** Path of the Electron executable electron-builder just packed (same rule as its own fuse code). */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    case 'linux':
      return path.join(appOutDir, packager.executableName);
    default:
      throw new Error(`after-pack-fuses: unknown platform "${electronPlatformName}"`);
  }
}

/** Names of the fuses whose state in the binary differs from MODELDOCK_FUSES. */
async function fusesNotSet(binaryPath) {
  const wire = await getCurrentFuseWire(binaryPath);
  return Object.entries(MODELDOCK_FUSES)
    .filter(([name, enabled]) => wire[FuseV1Options[name]] !== (enabled ? FUSE_ENABLED : FUSE_DISABLED))
    .map(([name]) => name);
}

async function afterPack(context) {
  const binaryPath = electronBinaryPath(context);
  const isAppleSilicon =
    (context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas') &&
    (context.arch === ARCH_ARM64 || context.arch === ARCH_UNIVERSAL);
  await flipFuses(binaryPath, fuseConfig(isAppleSilicon));
  // Read back: an installer must never ship with a fuse silently left at its default.
  const wrong = await fusesNotSet(binaryPath);
  if (wrong.length > 0)
    throw new Error(`after-pack-fuses: fuses not set in ${binaryPath}: ${wrong.join(', ')}`);
  console.log(`  • fuses set in ${path.basename(binaryPath)}: ${Object.keys(MODELDOCK_FUSES).join(', ')}`);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.MODELDOCK_FUSES = MODELDOCK_FUSES;
module.exports.fuseConfig = fuseConfig;
module.exports.electronBinaryPath = electronBinaryPath;
module.exports.fusesNotSet = fusesNotSet;
