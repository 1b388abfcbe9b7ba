/**
 * SMPP 3.4 PDU codec: the commands an ESME and a simple SMSC need, their TLVs, the command_status
 * names, and a streaming frame splitter for TCP. The pieces live in codec/ (definitions, encode,
 * decode + framing); this module is the one door callers import from.
 */
export * from './codec/definitions.js';
export { encodePdu } from './codec/encode.js';
export { FrameSplitter, decodePdu, messageOctets } from './codec/decode.js';
