/**
 * Help settings shared by every command: a subcommand's help lists the global flags it inherits
 * (-o, --json, --profile, --sandbox, -q...) under "Global Options:", as gh's "INHERITED FLAGS"
 * does, so the flags its examples use are explained where they are used. `--version` is left out:
 * it belongs to `yotta` alone.
 */
import { Help } from 'commander';
import type { Command, HelpConfiguration, Option } from 'commander';

/** commander's help configuration for the root program (copied to every subcommand). */
export const inheritedFlagsHelp: HelpConfiguration = {
  showGlobalOptions: true,
  visibleGlobalOptions(this: Help, cmd: Command): Option[] {
    return Help.prototype.visibleGlobalOptions.call(this, cmd).filter((o) => o.long !== '--version');
  },
};
