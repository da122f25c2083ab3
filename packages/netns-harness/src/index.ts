/** Placeholder: the harness is being written. */
export const harnessVersion = '0.1.0';
