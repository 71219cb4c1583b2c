/**
 * Process warnings of type `EcgLdmWarning`, each text once per process (as Python's
 * default warning filter shows a warning once per location).
 * @module
 */
const emitted = new Set<string>();

/** Emits `text` as an `EcgLdmWarning` unless this process already did. */
export function warnOnce(text: string): void {
  if (emitted.has(text)) return;
  emitted.add(text);
  process.emitWarning(text, 'EcgLdmWarning');
}
