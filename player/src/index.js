export { Xp2pPlayer } from './player.js';
export { ChunkScheduler, chooseStart, parentDeadline, firstTimestamp } from './scheduler.js';
export { encodeFrame, decodeFrame, framesOf, MAX_FRAME_BYTES, FRAME_HEADER_BYTES } from './frame.js';
export { decryptBody, importStreamKey } from './crypto.js';
