package relay_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/relay"
	"github.com/borderdesk/borderdesk/shared/outbox"
)

// store records what the relay asked of the outbox.
type store struct {
	pending []outbox.Record
	before  []time.Time
	deleted []string
}

func (s *store) PendingOutbox(_ context.Context, before time.Time, _ int) ([]outbox.Record, error) {
	s.before = append(s.before, before)
	out := s.pending
	s.pending = nil
	return out, nil
}

func (s *store) DeleteOutbox(_ context.Context, recs []outbox.Record) error {
	for _, r := range recs {
		s.deleted = append(s.deleted, r.SK)
	}
	return nil
}

// bus publishes, failing any source in down.
type bus struct {
	down      string
	published []string // "source detail-type id"
}

func (b *bus) PublishAs(_ context.Context, source string, evs ...events.Event) error {
	if source == b.down {
		return errors.New("bus down")
	}
	for _, e := range evs {
		b.published = append(b.published, source+" "+string(e.Type)+" "+e.ID)
	}
	return nil
}

var now = time.Date(2026, 11, 2, 9, 35, 0, 0, time.UTC)

func handler(b *bus, s *store) *relay.Handler {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return relay.New(outbox.New(b, s, log), func() time.Time { return now }, log)
}

func TestStreamRelaysEachAsItsWriter(t *testing.T) {
	payload, err := os.ReadFile(filepath.Join("testdata", "stream.outbox.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		down      string
		published []string
		failures  []string // sequence numbers
	}{
		{"bus up", "", []string{
			"borderdesk.ticketing ticket.opened ev_1", "borderdesk.api message.replied ev_2", "borderdesk.ticketing ticket.merged ev_3",
		}, []string{}},
		{"api's events fail", events.SourceAPI, []string{
			"borderdesk.ticketing ticket.opened ev_1", "borderdesk.ticketing ticket.merged ev_3",
		}, []string{"4421584500000000017450439092"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, s := &bus{down: tc.down}, &store{}
			out, err := handler(b, s).Invoke(context.Background(), payload)
			if err != nil {
				t.Fatalf("Invoke(stream) error = %v", err)
			}
			resp, ok := out.(lambdaevents.DynamoDBEventResponse)
			if !ok {
				t.Fatalf("Invoke(stream) = %T; want a DynamoDBEventResponse", out)
			}
			var failures []string
			for _, f := range resp.BatchItemFailures {
				failures = append(failures, f.ItemIdentifier)
			}
			if !slices.Equal(b.published, tc.published) || !slices.Equal(failures, tc.failures) {
				t.Errorf("Invoke(stream) published %v, failures %v; want %v, %v", b.published, failures, tc.published, tc.failures)
			}
			if len(s.deleted) != len(tc.published) {
				t.Errorf("deleted %v; want the %d published", s.deleted, len(tc.published))
			}
			// Lambda reads "batchItemFailures" — an empty list, not null, when all succeeded.
			raw, _ := json.Marshal(out)
			var shape map[string]json.RawMessage
			_ = json.Unmarshal(raw, &shape)
			if string(shape["batchItemFailures"]) == "null" || shape["batchItemFailures"] == nil {
				t.Errorf("response = %s; want a batchItemFailures list", raw)
			}
		})
	}
}

func TestScheduleSweepsWhatTheStreamMissed(t *testing.T) {
	payload, err := os.ReadFile(filepath.Join("testdata", "schedule.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := events.New(events.TicketOpened, "ev_old", "demo", "borderdesk", "tk_1", now, events.Ticket{TicketID: "tk_1"})
	b, s := &bus{}, &store{pending: []outbox.Record{{Source: events.SourceTicketing, Event: ev, PK: "M#demo#OUTBOX", SK: "EV#ev_old"}}}
	if _, err := handler(b, s).Invoke(context.Background(), payload); err != nil {
		t.Fatalf("Invoke(schedule) error = %v", err)
	}
	if want := now.Add(-relay.SweepAge); len(s.before) == 0 || !s.before[0].Equal(want) {
		t.Errorf("sweep read items written before %v; want %v", s.before, want)
	}
	if !slices.Equal(b.published, []string{"borderdesk.ticketing ticket.opened ev_old"}) {
		t.Errorf("sweep published %v; want ev_old as ticketing", b.published)
	}
	b.down = events.SourceTicketing
	s.pending = []outbox.Record{{Source: events.SourceTicketing, Event: ev, PK: "M#demo#OUTBOX", SK: "EV#ev_old"}}
	if _, err := handler(b, s).Invoke(context.Background(), payload); err == nil {
		t.Errorf("Invoke(schedule) with the bus down = nil; want an error, so the error alarm fires")
	}
	if _, err := handler(b, s).Invoke(context.Background(), json.RawMessage(`{"hello":1}`)); err == nil {
		t.Errorf("Invoke(unknown payload) = nil; want an error")
	}
}

func TestImage(t *testing.T) {
	var img map[string]lambdaevents.DynamoDBAttributeValue
	if err := json.Unmarshal([]byte(`{"s":{"S":"x"},"n":{"N":"12"},"b":{"BOOL":true},"l":{"L":[{"S":"a"},{"NULL":true}]},"m":{"M":{"k":{"SS":["p","q"]}}}}`), &img); err != nil {
		t.Fatal(err)
	}
	got := relay.Image(img)
	s, _ := got["s"].(*types.AttributeValueMemberS)
	n, _ := got["n"].(*types.AttributeValueMemberN)
	b, _ := got["b"].(*types.AttributeValueMemberBOOL)
	l, _ := got["l"].(*types.AttributeValueMemberL)
	m, _ := got["m"].(*types.AttributeValueMemberM)
	switch {
	case s == nil || s.Value != "x", n == nil || n.Value != "12", b == nil || !b.Value:
		t.Errorf("Image() scalars = %#v, %#v, %#v; want S x, N 12, BOOL true", got["s"], got["n"], got["b"])
	case l == nil || len(l.Value) != 2:
		t.Errorf("Image() list = %#v; want two elements", got["l"])
	case m == nil:
		t.Errorf("Image() map = %#v; want a map", got["m"])
	default:
		if ss, _ := m.Value["k"].(*types.AttributeValueMemberSS); ss == nil || !slices.Equal(ss.Value, []string{"p", "q"}) {
			t.Errorf("Image() map k = %#v; want SS [p q]", m.Value["k"])
		}
		if _, null := l.Value[1].(*types.AttributeValueMemberNULL); !null {
			t.Errorf("Image() list[1] = %#v; want NULL", l.Value[1])
		}
	}
}
