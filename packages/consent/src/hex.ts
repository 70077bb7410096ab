/**
 * @internal A SHA-256 hash as Candor writes it (lowercase hex): entry hashes, notice content
 * hashes, chain anchors.
 *
 * @example
 * SHA256_HEX.test(entry.hash); // true
 */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
