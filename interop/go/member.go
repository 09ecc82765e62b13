package main

// A member of a cluster: it announces itself when it joins, heartbeats to
// the hosts that monitor it, answers discovery to the asker alone, hears the
// others' announcements and answers to its own discovery, and reads the
// batches sent to its inbox (docs/PROTOCOL.md, "Subjects", "Announcements
// and heartbeats"). It monitors nobody (no "monitors" in its announcement).

import (
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

const heartbeatInterval = 250 * time.Millisecond

// joinSpacing separates the two announcements of a joining member.
const joinSpacing = heartbeatInterval/4 + 5*time.Millisecond

// Delivery is a tell that reached one of this member's pseudo-actors.
type Delivery struct {
	From string `json:"from"`
	To   string `json:"to"`
	Name string `json:"name"`
	Body any    `json:"body"`
}

// Member is one connection to a cluster, speaking as one member id.
type Member struct {
	nc       *nats.Conn
	subjects Subjects
	epoch    int64
	subs     []*nats.Subscription
	stop     chan struct{}
	stopped  sync.WaitGroup

	mu         sync.Mutex
	left       bool               // after the goodbye nothing is announced: it would bring this member back
	hosts      map[string]*Object // last announcement of each host heard
	asks       map[int64]*pendingAsk
	nextActor  int64
	deliveries chan Delivery
	refused    map[string]int         // what this member dropped, by reason
	notices    []*Object              // frames 4 and 7 about tells this member sent
	transfers  map[string]*reassembly // chunked envelopes being received, by sender and transfer
	outbox     []*Object              // frames sent while not connected (the tests with bytes)
}

// join connects and starts announcing.
func join(url, prefix, cluster, id string) (*Member, error) {
	subjects, err := newSubjects(prefix, cluster, id)
	if err != nil {
		return nil, err
	}
	nc, err := nats.Connect(url, nats.Name("goclient "+id))
	if err != nil {
		return nil, err
	}
	m := &Member{
		nc: nc, subjects: subjects, epoch: time.Now().UnixMilli(), stop: make(chan struct{}),
		hosts: map[string]*Object{}, asks: map[int64]*pendingAsk{}, refused: map[string]int{},
		deliveries: make(chan Delivery, 1024),
	}
	for subject, handler := range map[string]nats.MsgHandler{
		subjects.Inbox():                       m.onBatch,
		subjects.Announcements():               m.onAnnouncement,
		subjects.Hellos():                      m.onAnnouncement,
		subjects.Discoveries():                 m.onDiscover,
		subjects.Root + "." + id + ".bounce.>": m.onBounce,
	} {
		sub, err := nc.Subscribe(subject, handler)
		if err != nil {
			nc.Close()
			return nil, err
		}
		m.subs = append(m.subs, sub)
	}
	if err := nc.Flush(); err != nil {
		nc.Close()
		return nil, err
	}
	m.announce()
	_ = nc.Publish(subjects.Discover(), nil)
	// Hosts admit a new member at its second announcement of one epoch, a
	// quarter of a heartbeat interval or more after the first
	// (docs/PROTOCOL.md, "Admission"): announce again before acting.
	time.Sleep(joinSpacing)
	m.announce()
	m.stopped.Add(1)
	go m.heartbeat()
	return m, nil
}

func (m *Member) announcement() *Object {
	return NewObject(
		"hostId", m.subjects.Self,
		"labels", NewObject("impl", "go"),
		"actorCount", int64(0),
		"mailboxDepth", int64(0),
		"startedAtMs", m.epoch,
		"epoch", m.epoch,
		"inbox", m.subjects.Inbox(),
		"protocol", int64(protocolVersion),
		// What it reads beyond protocol 2's first frames (docs/PROTOCOL.md,
		// "Capabilities"): chunked envelopes (frames 8 to 10, and 12), object
		// refs (0x4f) and the trace fields of tells and asks.
		"capabilities", []any{"chunks", "object-refs", "trace"},
	)
}

func (m *Member) announce() { m.publishAnnouncement(m.subjects.Announce()) }

func (m *Member) publishAnnouncement(subject string) {
	data, err := encodeValue(m.announcement())
	m.mu.Lock()
	defer m.mu.Unlock()
	if err == nil && !m.left {
		_ = m.nc.Publish(subject, data)
	}
}

// onDiscover answers another member's discovery request, to it alone, twice
// (a member is admitted at its second announcement).
func (m *Member) onDiscover(msg *nats.Msg) {
	asker := m.subjects.SenderOf(msg.Subject)
	if asker == "" || asker == m.subjects.Self {
		return
	}
	m.publishAnnouncement(m.subjects.Hello(asker))
	time.AfterFunc(joinSpacing, func() { m.publishAnnouncement(m.subjects.Hello(asker)) })
}

func (m *Member) heartbeat() {
	defer m.stopped.Done()
	ticker := time.NewTicker(heartbeatInterval)
	defer ticker.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-ticker.C:
			m.publishAnnouncement(m.subjects.Heartbeat())
		}
	}
}

// onAnnouncement keeps a host's announcement when its subject and body agree.
func (m *Member) onAnnouncement(msg *nats.Msg) {
	sender := m.subjects.SenderOf(msg.Subject)
	v, err := decodeValue(msg.Data)
	a, ok := v.(*Object)
	if err != nil || !ok {
		m.count("undecodable")
		return
	}
	if a.String("hostId") != sender {
		m.count("sender-mismatch")
		return
	}
	if p, _ := asInteger(a.Get("protocol")); p != protocolVersion {
		m.count("other-version")
		return
	}
	m.mu.Lock()
	m.hosts[sender] = a
	m.mu.Unlock()
}

func (m *Member) count(reason string) {
	m.mu.Lock()
	m.refused[reason]++
	m.mu.Unlock()
}

// Hosts lists the members heard so far (this one excluded).
func (m *Member) Hosts() map[string]*Object {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]*Object{}
	for id, a := range m.hosts {
		if id != m.subjects.Self {
			out[id] = a
		}
	}
	return out
}

// waitForHost waits until host has announced itself.
func (m *Member) waitForHost(host string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if _, ok := m.Hosts()[host]; ok {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("host %s did not announce itself within %v", host, timeout)
}

// NewActor makes a pseudo-actor of this member: a ref that hosts can send to.
func (m *Member) NewActor(typ string) Ref {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := fmt.Sprintf("%s/%s", m.subjects.Self, formatBase36(m.nextActor))
	m.nextActor++
	return Ref{ID: id, Type: typ}
}

// Leave says goodbye (R.<id>.leave, the id as UTF-8), stops heartbeating and closes.
func (m *Member) Leave() error {
	close(m.stop)
	m.stopped.Wait()
	m.mu.Lock()
	m.left = true
	_ = m.nc.Publish(m.subjects.Leave(), []byte(m.subjects.Self))
	m.mu.Unlock()
	err := m.nc.Flush()
	m.nc.Close()
	return err
}

func formatBase36(n int64) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	if n == 0 {
		return "0"
	}
	var out []byte
	for ; n > 0; n /= 36 {
		out = append([]byte{digits[n%36]}, out...)
	}
	return string(out)
}
