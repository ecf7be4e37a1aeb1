/**
 * The one entry into tldts-icann (the Public Suffix List's ICANN section),
 * imported only dynamically by ./links.ts so that the trie it builds when
 * evaluated is not built at startup; naming `parse` alone keeps the rest of
 * the library out of the bundle.
 */
export { parse } from "tldts-icann";
