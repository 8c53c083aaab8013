// Package speech turns a candidate's spoken answer into text: the client of
// an OpenAI-compatible speech-to-text endpoint (POST /audio/transcriptions,
// which OpenAI, whisper.cpp's server, faster-whisper servers and vLLM
// speak), and the checks an upload passes before it is kept: which kind of
// audio it is, judged from its bytes, and how long it lasts where the
// container says so.
//
// Recordings are personal data. Nothing here logs them or their text.
package speech
