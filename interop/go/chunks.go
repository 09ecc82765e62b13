package main

// Chunked envelopes in (docs/PROTOCOL.md, "Chunked envelopes"): frame 8
// opens a buffer of the envelope's size, each frame 9 is copied in at its
// offset and acknowledged with frame 10, and the full buffer is read as one
// frame, handled as if it had come in a batch. A chunk out of place (one was
// lost) drops the transfer and tells the sender with frame 11; frame 12 from
// the sender drops it too. This client only receives chunked envelopes.

import "fmt"

// maxChunkedBytes is the largest envelope this client accepts.
const maxChunkedBytes = 1 << 31

type reassembly struct {
	of       string
	target   any
	buffer   []byte
	received int64
}

func transferKey(sender string, transfer int64) string {
	return fmt.Sprintf("%s %d", sender, transfer)
}

// onChunkFrame handles frames 8, 9 and 12 from sender (10 and 11 name transfers this client never sends).
func (m *Member) onChunkFrame(sender string, frame *Object) {
	transfer, _ := asInteger(frame.Get("transfer"))
	key := transferKey(sender, transfer)
	switch frame.String("kind") {
	case "chunkStart":
		size, _ := asInteger(frame.Get("bytes"))
		m.mu.Lock()
		if m.transfers == nil {
			m.transfers = map[string]*reassembly{}
		}
		_, open := m.transfers[key]
		if !open && size >= 0 && size <= maxChunkedBytes {
			m.transfers[key] = &reassembly{of: frame.String("of"), target: frame.Get("target"),
				buffer: make([]byte, size)}
		}
		m.mu.Unlock()
		if open || size < 0 || size > maxChunkedBytes {
			m.cancel(sender, transfer, map[bool]string{true: "duplicate", false: "too-large"}[open])
		}
	case "chunk":
		offset, _ := asInteger(frame.Get("offset"))
		data, _ := frame.Get("data").([]byte)
		m.mu.Lock()
		r := m.transfers[key]
		if r == nil {
			m.mu.Unlock()
			m.count("chunk-unknown-transfer")
			return
		}
		if offset != r.received || offset+int64(len(data)) > int64(len(r.buffer)) {
			delete(m.transfers, key)
			m.mu.Unlock()
			m.cancel(sender, transfer, "lost-chunk")
			return
		}
		copy(r.buffer[offset:], data)
		r.received += int64(len(data))
		done := r.received == int64(len(r.buffer))
		if done {
			delete(m.transfers, key)
		}
		m.mu.Unlock()
		_ = m.send(sender, NewObject("kind", "chunkAck", "transfer", transfer, "bytes", r.received))
		if done {
			m.onEnvelope(sender, r)
		}
	case "chunkAbort":
		m.mu.Lock()
		delete(m.transfers, key)
		m.mu.Unlock()
	}
}

func (m *Member) cancel(sender string, transfer int64, reason string) {
	m.count("chunk-" + reason)
	_ = m.send(sender, NewObject("kind", "chunkCancel", "transfer", transfer, "reason", reason))
}

// onEnvelope reads a reassembled envelope as one frame of the kind frame 8 named.
func (m *Member) onEnvelope(sender string, r *reassembly) {
	v, err := decodeValue(r.buffer)
	var frame *Object
	if err == nil {
		frame, err = frameOf(v)
	}
	if err != nil || frame.String("kind") != r.of {
		m.count("malformed")
		return
	}
	m.onFrame(sender, frame)
}
