package main

// Control requests to one host (docs/PROTOCOL.md, "Remote spawn", "Inspect
// requests"): NATS request/reply on R.<self>.ctl.<host>.<operation>.

import (
	"crypto/rand"
	"fmt"
	"time"
)

// request sends a map and decodes the answer map.
func (m *Member) request(host, operation string, body *Object, timeout time.Duration) (*Object, error) {
	data, err := encodeValue(body)
	if err != nil {
		return nil, err
	}
	msg, err := m.nc.Request(m.subjects.Control(host, operation), data, timeout)
	if err != nil {
		return nil, fmt.Errorf("%s request to %s: %w", operation, host, err)
	}
	v, err := decodeValue(msg.Data)
	if err != nil {
		return nil, fmt.Errorf("%s answer from %s: %w", operation, host, err)
	}
	answer, ok := v.(*Object)
	if !ok {
		return nil, fmt.Errorf("%s answer from %s is not a map", operation, host)
	}
	return answer, nil
}

// SpawnRequest is what to spawn: a type the host knows, and optionally a name and args.
type SpawnRequest struct {
	Type string
	Name string
	Args any // nil for none
}

// Spawn asks host to spawn an actor; the answer is { ok, id, type, name? } or { ok: false, error }.
func (m *Member) Spawn(host string, spawn SpawnRequest, timeout time.Duration) (*Object, error) {
	body := NewObject("type", spawn.Type)
	if spawn.Name != "" {
		body.Set("name", spawn.Name)
	}
	if spawn.Args != nil {
		body.Set("args", spawn.Args)
	}
	body.Set("requestId", randomUUID())
	return m.request(host, "spawn", body, timeout)
}

// Inspect asks host for its part of an inspection: { ok, snapshot: { host, actors, deadLetters, deaths } }.
func (m *Member) Inspect(host string, recent int64, timeout time.Duration) (*Object, error) {
	return m.request(host, "inspect", NewObject("recent", recent), timeout)
}

func randomUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
