// Noting SIGINT/SIGTERM instead of dying of them, while lbctl has work under way that must be finished or undone.

/** A trap for SIGINT and SIGTERM: which arrived first (null: none), and how to remove the trap. */
export interface SignalTrap {
  caught: () => NodeJS.Signals | null;
  release: () => void;
}

/** Traps SIGINT and SIGTERM until released; the work polls `caught()` at its safe points. */
export function trapSignals(): SignalTrap {
  let caught: NodeJS.Signals | null = null;
  const note = (sig: NodeJS.Signals) => {
    caught ??= sig;
  };
  process.on('SIGINT', note);
  process.on('SIGTERM', note);
  return {
    caught: () => caught,
    release: () => {
      process.off('SIGINT', note);
      process.off('SIGTERM', note);
    },
  };
}
