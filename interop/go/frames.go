package main

// Frames and batches (docs/PROTOCOL.md, "Batches" and "Frames"). A frame is
// handled here as an Object of its fields by name, with "kind" first: the
// form of the golden vectors.

import (
	"errors"
	"fmt"
)

const protocolVersion = 2

type field struct {
	name    string
	integer bool // a safe integer (any int format, or a float 64 holding one)
	text    bool // a string
	kindOf  bool // the number of a frame kind that a chunked envelope holds: 0 tell, 1 ask, 2 reply
	target  bool // a string (an actor id) or a safe integer (a correlation id)
	bytes   bool // bin
}

// chunkedKinds names the frame kinds a chunked envelope can hold, by number.
var chunkedKinds = []string{"tell", "ask", "reply"}

// frameKinds lists each kind's fields in order; the last field of
// undeliverable and undeliverableMany (type) is optional, and so are the last
// two of tell and ask (traceparent, tracestate: W3C trace context, protocol 1.3).
var frameKinds = []struct {
	kind     string
	fields   []field
	optional int
}{
	{"tell", []field{{name: "to", text: true}, {name: "name", text: true}, {name: "body"},
		{name: "traceparent", text: true}, {name: "tracestate", text: true}}, 2},
	{"ask", []field{{name: "to", text: true}, {name: "name", text: true}, {name: "body"},
		{name: "correlation", integer: true}, {name: "timeoutMs", integer: true},
		{name: "traceparent", text: true}, {name: "tracestate", text: true}}, 2},
	{"reply", []field{{name: "correlation", integer: true}, {name: "body"}}, 0},
	{"replyError", []field{{name: "correlation", integer: true}, {name: "error"}}, 0},
	{"undeliverable", []field{{name: "to", text: true}, {name: "name", text: true},
		{name: "reason", text: true}, {name: "body"}, {name: "type", text: true}}, 1},
	{"childExit", []field{{name: "supervisor", text: true}, {name: "child", text: true}, {name: "reason"}}, 0},
	{"actorStopped", []field{{name: "actor", text: true}, {name: "record"}}, 0},
	{"undeliverableMany", []field{{name: "to", text: true}, {name: "name", text: true},
		{name: "reason", text: true}, {name: "count", integer: true}, {name: "body"},
		{name: "type", text: true}}, 1},
	{"chunkStart", []field{{name: "transfer", integer: true}, {name: "bytes", integer: true},
		{name: "of", kindOf: true}, {name: "target", target: true}, {name: "align", integer: true}}, 0},
	{"chunk", []field{{name: "transfer", integer: true}, {name: "offset", integer: true},
		{name: "data", bytes: true}}, 0},
	{"chunkAck", []field{{name: "transfer", integer: true}, {name: "bytes", integer: true}}, 0},
	{"chunkCancel", []field{{name: "transfer", integer: true}, {name: "reason", text: true}}, 0},
	{"chunkAbort", []field{{name: "transfer", integer: true}, {name: "reason", text: true}}, 0},
	// Frames 13 and 14, the fences of a graceful leave: this client reads them but does not
	// announce "leave-fence", so hosts neither send them to it nor wait for its answer.
	{"leaveSeen", []field{}, 0},
	{"leaveSettled", []field{}, 0},
}

// encodeFrame writes a frame given as an Object of its fields by name.
func encodeFrame(frame *Object) ([]byte, error) {
	for code, k := range frameKinds {
		if k.kind != frame.String("kind") {
			continue
		}
		array := []any{int64(code)}
		for i, f := range k.fields {
			v, present := frame.Values[f.name]
			if !present && i >= len(k.fields)-k.optional {
				break
			}
			if f.kindOf {
				for n, name := range chunkedKinds {
					if name == v {
						v = int64(n)
					}
				}
			}
			array = append(array, v)
		}
		return encodeValue(array)
	}
	return nil, fmt.Errorf("no frame kind %q", frame.String("kind"))
}

// frameOf checks a decoded array against its kind's fields; a Refusal "malformed" when it does not fit.
func frameOf(v any) (*Object, error) {
	a, ok := v.([]any)
	if !ok || len(a) == 0 {
		return nil, refuse("malformed", "a frame that is not a non-empty array")
	}
	code, ok := asInteger(a[0])
	if !ok || code < 0 || int(code) >= len(frameKinds) {
		return nil, refuse("malformed", "unknown frame kind %v", a[0])
	}
	k := frameKinds[code]
	if len(a)-1 > len(k.fields) || len(a)-1 < len(k.fields)-k.optional {
		return nil, refuse("malformed", "%s with %d fields", k.kind, len(a)-1)
	}
	frame := NewObject("kind", k.kind)
	for i, x := range a[1:] {
		f := k.fields[i]
		if f.integer {
			n, ok := asInteger(x)
			if !ok {
				return nil, refuse("malformed", "%s.%s is not a safe integer", k.kind, f.name)
			}
			x = n
		}
		if _, ok := x.(string); f.text && !ok {
			return nil, refuse("malformed", "%s.%s is not a string", k.kind, f.name)
		}
		if f.kindOf {
			n, ok := asInteger(x)
			if !ok || n < 0 || int(n) >= len(chunkedKinds) {
				return nil, refuse("malformed", "%s.%s is not 0, 1 or 2", k.kind, f.name)
			}
			x = chunkedKinds[n]
		}
		if f.target {
			if n, ok := asInteger(x); ok {
				x = n
			} else if _, ok := x.(string); !ok {
				return nil, refuse("malformed", "%s.%s is neither a string nor an integer", k.kind, f.name)
			}
		}
		if _, ok := x.([]byte); f.bytes && !ok {
			return nil, refuse("malformed", "%s.%s is not bin", k.kind, f.name)
		}
		frame.Set(f.name, x)
	}
	return frame, nil
}

// encodeBatch writes the header (version, sender id) and the frames.
func encodeBatch(sender string, frames ...*Object) ([]byte, error) {
	if len(sender) > 255 {
		return nil, errors.New("a sender id longer than 255 bytes")
	}
	out := append([]byte{protocolVersion, byte(len(sender))}, sender...)
	for _, f := range frames {
		b, err := encodeFrame(f)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// Batch is what one batch held: its sender, the frames read, and what was refused (by reason).
type Batch struct {
	Sender  string
	Frames  []*Object
	Refused []string
}

// decodeBatch reads a batch as a host does: a bad frame is refused alone,
// a value that cannot be read refuses the rest of the batch.
func decodeBatch(data []byte) Batch {
	var b Batch
	if len(data) < 2 {
		b.Refused = append(b.Refused, "truncated")
		return b
	}
	if data[0] != protocolVersion {
		b.Refused = append(b.Refused, "unknown-version")
		return b
	}
	n := int(data[1])
	if len(data) < 2+n {
		b.Refused = append(b.Refused, "truncated")
		return b
	}
	b.Sender = string(data[2 : 2+n])
	r := newReader(data[2+n:])
	for r.src.Len() > 0 {
		v, err := r.value(1)
		if err == nil {
			var frame *Object
			if frame, err = frameOf(v); err == nil {
				b.Frames = append(b.Frames, frame)
				continue
			}
		}
		var refusal *Refusal
		if !errors.As(err, &refusal) {
			refusal = &Refusal{Reason: "undecodable"}
		}
		b.Refused = append(b.Refused, refusal.Reason)
		if refusal.Reason != "malformed" {
			break
		}
	}
	return b
}
