package devstack

import (
	"context"
	"log/slog"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// levelFloor is a slog.Handler that drops records below a minimum level that
// can be raised at run time (Stop raises it to Error: shutdown is noisy).
type levelFloor struct {
	next slog.Handler
	min  *atomic.Int64
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return int64(l) >= h.min.Load() && h.next.Enabled(ctx, l)
}

func (h levelFloor) Handle(ctx context.Context, r slog.Record) error { return h.next.Handle(ctx, r) }

func (h levelFloor) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelFloor{next: h.next.WithAttrs(attrs), min: h.min}
}

func (h levelFloor) WithGroup(name string) slog.Handler {
	return levelFloor{next: h.next.WithGroup(name), min: h.min}
}

// serverLogger adapts a *slog.Logger to the Temporal server's log.Logger.
type serverLogger struct {
	slog *slog.Logger
	min  *atomic.Int64
}

var (
	_ log.Logger      = serverLogger{}
	_ log.SLogWrapper = serverLogger{}
)

func newServerLogger(l *slog.Logger, min slog.Level) serverLogger {
	if l == nil {
		l = slog.Default()
	}
	floor := &atomic.Int64{}
	floor.Store(int64(min))
	return serverLogger{slog: slog.New(levelFloor{next: l.Handler(), min: floor}), min: floor}
}

// raise drops every record below min from now on.
func (s serverLogger) raise(min slog.Level) { s.min.Store(int64(min)) }

func (s serverLogger) Debug(msg string, tags ...tag.Tag) { s.log(slog.LevelDebug, msg, tags) }
func (s serverLogger) Info(msg string, tags ...tag.Tag)  { s.log(slog.LevelInfo, msg, tags) }
func (s serverLogger) Warn(msg string, tags ...tag.Tag)  { s.log(slog.LevelWarn, msg, tags) }
func (s serverLogger) Error(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

// DPanic, Panic and Fatal only log: an embedded server must not take the
// process down.
func (s serverLogger) DPanic(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }
func (s serverLogger) Panic(msg string, tags ...tag.Tag)  { s.log(slog.LevelError, msg, tags) }
func (s serverLogger) Fatal(msg string, tags ...tag.Tag)  { s.log(slog.LevelError, msg, tags) }

// SLog lets server components that log through slog use our handler directly.
func (s serverLogger) SLog() *slog.Logger { return s.slog }

func (s serverLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if !s.slog.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, len(tags))
	for i, t := range tags {
		attrs[i] = slog.Any(t.Key(), t.Value())
	}
	s.slog.LogAttrs(ctx, level, msg, attrs...)
}
