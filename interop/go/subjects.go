package main

// The subjects of protocol v2 (docs/PROTOCOL.md, "Subjects"): the token after
// the root is always the id of the member that publishes.

import (
	"fmt"
	"regexp"
	"strings"
)

var token = regexp.MustCompile(`^[A-Za-z0-9_:-]{1,128}$`)

// Subjects builds the subjects one member of one cluster publishes on and listens to.
type Subjects struct {
	Root string // <prefix>.<cluster>
	Self string // this member's id
}

func newSubjects(prefix, cluster, self string) (Subjects, error) {
	for _, t := range []string{prefix, cluster, self} {
		if !token.MatchString(t) {
			return Subjects{}, fmt.Errorf("%q is not a subject token (1 to 128 of A-Z a-z 0-9 _ - :)", t)
		}
	}
	if self == "ctl" {
		return Subjects{}, fmt.Errorf("'ctl' is not a member id")
	}
	return Subjects{Root: prefix + "." + cluster, Self: self}, nil
}

func (s Subjects) BatchTo(host string) string { return s.Root + "." + s.Self + ".to." + host }
func (s Subjects) Inbox() string              { return s.Root + ".*.to." + s.Self }
func (s Subjects) Announce() string           { return s.Root + "." + s.Self + ".announce" }
func (s Subjects) Announcements() string      { return s.Root + ".*.announce" }
func (s Subjects) Heartbeat() string          { return s.Root + "." + s.Self + ".hb" }
func (s Subjects) Hello(to string) string     { return s.Root + "." + s.Self + ".hello." + to }
func (s Subjects) Hellos() string             { return s.Root + ".*.hello." + s.Self }
func (s Subjects) Discover() string           { return s.Root + "." + s.Self + ".discover" }
func (s Subjects) Discoveries() string        { return s.Root + ".*.discover" }
func (s Subjects) Leave() string              { return s.Root + "." + s.Self + ".leave" }
func (s Subjects) Control(host, op string) string {
	return s.Root + "." + s.Self + ".ctl." + host + "." + op
}

// SenderOf is the member id a subject of this cluster names as its publisher.
func (s Subjects) SenderOf(subject string) string {
	rest := strings.TrimPrefix(subject, s.Root+".")
	if rest == subject {
		return ""
	}
	sender, _, _ := strings.Cut(rest, ".")
	return sender
}
