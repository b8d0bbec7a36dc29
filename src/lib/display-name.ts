/**
 * Names from a store shown so they cannot pass for other names. Object keys
 * may hold Unicode bidirectional controls and invisible characters: a
 * RIGHT-TO-LEFT OVERRIDE (U+202E) makes `report\u202Efdp.exe` display as
 * `reportexe.pdf`. Such characters are shown as visible `⟨U+202E⟩` marks, and
 * components put names in `<bdi>` so a right-to-left name cannot reorder
 * the text around it. Other characters, control characters included, are
 * shown as they are (as text). The key itself is never changed, only its
 * display.
 *
 * @example
 * visibleName('report\u202Efdp.exe') // 'report⟨U+202E⟩fdp.exe'
 */
const HIDDEN = /[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

export function visibleName(name: string): string {
  return name.replace(HIDDEN, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/** Whether `visibleName` would change the name (a cue to say so). */
export function hasHiddenCharacters(name: string): boolean {
  HIDDEN.lastIndex = 0;
  const hit = HIDDEN.test(name);
  HIDDEN.lastIndex = 0;
  return hit;
}
