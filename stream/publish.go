package stream

import (
	"strings"

	"github.com/redis/go-redis/v9"
)

// publishScript appends an event to an interview's stream and announces
// it on the live channel, atomically and in one round trip. The
// announcement carries the id of the event before it, which lets a reader
// prove it missed nothing: it can deliver a live event directly only when
// that previous id is the last one it sent.
//
// Nothing is published once the interview was erased (KEYS[3] exists): a
// worker still finishing a step of an erased interview cannot bring its
// stream back.
//
// KEYS[1] stream, KEYS[2] channel, KEYS[3] erased marker; ARGV[1] max
// length, ARGV[2] type, ARGV[3] data.
var publishScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return '' end
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local prev = ''
if #last > 0 then prev = last[1][1] end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'type', ARGV[2], 'data', ARGV[3])
redis.call('PUBLISH', KEYS[2], prev .. '\n' .. id .. '\n' .. ARGV[2] .. '\n' .. ARGV[3])
return id
`)

// decodeLive parses a live announcement made by publishScript.
func decodeLive(payload string) (Event, bool) {
	parts := strings.SplitN(payload, "\n", 4)
	if len(parts) != 4 {
		return Event{}, false
	}
	return Event{Prev: parts[0], ID: parts[1], Type: parts[2], Data: []byte(parts[3])}, true
}
