package main

// Tells and asks to actors of other hosts, and what comes back to this
// member's inbox (docs/PROTOCOL.md, "Frames", "No responders").

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

// AskResult is the outcome of one ask: a reply, or a typed error (an error map).
type AskResult struct {
	OK    bool `json:"ok"`
	Reply any  `json:"reply,omitempty"`
	Error any  `json:"error,omitempty"`
}

type pendingAsk struct {
	host   string
	result chan AskResult
}

var batchNumber atomic.Int64

// hostOf is the host part of an actor id.
func hostOf(actorID string) (string, error) {
	host, _, ok := strings.Cut(actorID, "/")
	if !ok || !token.MatchString(host) {
		return "", fmt.Errorf("%q is not an actor id <host>/<sequence>", actorID)
	}
	return host, nil
}

func (m *Member) send(host string, frames ...*Object) error {
	if m.nc == nil {
		m.mu.Lock()
		m.outbox = append(m.outbox, frames...)
		m.mu.Unlock()
		return nil
	}
	data, err := encodeBatch(m.subjects.Self, frames...)
	if err != nil {
		return err
	}
	return m.nc.PublishMsg(&nats.Msg{
		Subject: m.subjects.BatchTo(host),
		Reply:   fmt.Sprintf("%s.%s.bounce.%s.%d", m.subjects.Root, m.subjects.Self, host, batchNumber.Add(1)),
		Data:    data,
	})
}

// Tell sends message name with body to an actor (frame 0).
func (m *Member) Tell(to, name string, body any) error {
	host, err := hostOf(to)
	if err != nil {
		return err
	}
	return m.send(host, NewObject("kind", "tell", "to", to, "name", name, "body", body))
}

// Ask sends frame 1 and waits for frame 2 or 3 from the asked host, at most timeout.
func (m *Member) Ask(to, name string, body any, timeout time.Duration) (AskResult, error) {
	host, err := hostOf(to)
	if err != nil {
		return AskResult{}, err
	}
	correlation := randomCorrelation()
	pending := &pendingAsk{host: host, result: make(chan AskResult, 1)}
	m.mu.Lock()
	m.asks[correlation] = pending
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		delete(m.asks, correlation)
		m.mu.Unlock()
	}()
	err = m.send(host, NewObject("kind", "ask", "to", to, "name", name, "body", body,
		"correlation", correlation, "timeoutMs", timeout.Milliseconds()))
	if err != nil {
		return AskResult{}, err
	}
	select {
	case r := <-pending.result:
		return r, nil
	case <-time.After(timeout):
		return AskResult{Error: NewObject("name", "AskTimeoutError", "code", "ask_timeout",
			"message", fmt.Sprintf("no answer from %s within %v", to, timeout))}, nil
	}
}

// randomCorrelation is an unguessable safe integer (53 random bits).
func randomCorrelation() int64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return int64(binary.BigEndian.Uint64(b[:]) & maxSafe)
}

// onBatch handles a batch from another host: only when the header names the subject's sender.
func (m *Member) onBatch(msg *nats.Msg) { m.onBatchData(msg.Subject, msg.Data) }

func (m *Member) onBatchData(subject string, data []byte) {
	sender := m.subjects.SenderOf(subject)
	batch := decodeBatch(data)
	for _, reason := range batch.Refused {
		m.count(reason)
	}
	if batch.Sender != sender {
		m.count("sender-mismatch")
		return
	}
	for _, frame := range batch.Frames {
		m.onFrame(sender, frame)
	}
}

func (m *Member) onFrame(sender string, frame *Object) {
	switch frame.String("kind") {
	case "tell":
		m.deliveries <- Delivery{From: sender, To: frame.String("to"), Name: frame.String("name"),
			Body: frame.Get("body")}
	case "ask":
		// A pseudo-actor does not answer asks: the asker gets a typed error at once.
		correlation, _ := asInteger(frame.Get("correlation"))
		_ = m.send(sender, NewObject("kind", "replyError", "correlation", correlation,
			"error", NewObject("name", "UnknownMessageError", "message",
				fmt.Sprintf("actor %s of a Go client answers no asks", frame.String("to")),
				"code", "unknown_message")))
	case "reply", "replyError":
		correlation, _ := asInteger(frame.Get("correlation"))
		m.mu.Lock()
		pending := m.asks[correlation]
		m.mu.Unlock()
		if pending == nil {
			m.count("reply-unknown")
			return
		}
		if pending.host != sender {
			m.count("reply-from-other-host")
			return
		}
		result := AskResult{OK: frame.String("kind") == "reply", Reply: frame.Get("body"),
			Error: frame.Get("error")}
		select {
		case pending.result <- result:
		default:
		}
	case "chunkStart", "chunk", "chunkAbort":
		m.onChunkFrame(sender, frame)
	case "undeliverable", "undeliverableMany":
		m.mu.Lock()
		m.notices = append(m.notices, frame)
		m.mu.Unlock()
	default:
		m.count("unhandled-" + frame.String("kind"))
	}
}

// onBounce: a batch reached no subscriber; open asks to that host fail at once.
func (m *Member) onBounce(msg *nats.Msg) {
	if msg.Header.Get("Status") != "503" {
		return
	}
	parts := strings.Split(msg.Subject, ".")
	host := parts[len(parts)-2]
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, pending := range m.asks {
		if pending.host == host {
			select {
			case pending.result <- AskResult{Error: NewObject("name", "HostUnreachableError",
				"code", "host_unreachable", "message", "host "+host+" has no inbox subscriber")}:
			default:
			}
		}
	}
}
