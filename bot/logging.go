package bot

import (
	"context"
	"fmt"
	"log/slog"
)

// redacting is a slog.Handler that hides interaction and webhook tokens
// in everything the bot logs: messages, strings, errors. Errors from
// HTTP clients carry the URL, and an interaction's URL carries its token.
type redacting struct{ next slog.Handler }

var _ slog.Handler = redacting{}

func (h redacting) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h redacting) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h redacting) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = redactAttr(a)
	}
	return redacting{h.next.WithAttrs(out)}
}

func (h redacting) WithGroup(name string) slog.Handler { return redacting{h.next.WithGroup(name)} }

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redact(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, x := range g {
			out[i] = redactAttr(x)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, redact(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, redact(x.String()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
