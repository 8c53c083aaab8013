// Package ratelimit limits how often a client may do something, shared
// across processes through Redis (GCRA, github.com/go-redis/redis_rate)
// and in process when Redis does not answer.
//
// A Limiter fails open to a local limiter: while Redis is down each
// process enforces the limit on its own, so a client spread across N
// processes gets up to N times the limit until Redis is back, and no
// request is refused or held because Redis is down.
package ratelimit
