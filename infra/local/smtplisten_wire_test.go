package local

import (
	"context"
	"strings"
	"testing"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/intake"
)

// nobody is a MailReceiver that owns no address.
type nobody struct{}

func (nobody) AcceptsRecipient(context.Context, string) error        { return nil }
func (nobody) ReceiveMail(context.Context, intake.InboundMail) error { return nil }

func TestMailReceiverOfTheTopology(t *testing.T) {
	fns := map[string]MailReceiver{"intake": nobody{}}
	tests := []struct {
		name    string
		topo    []events.Function
		want    bool   // a receiver
		wantErr string // "" : none
	}{
		{name: "the one receiving function", topo: []events.Function{{Name: "intake", ReceivesMail: true}, {Name: "api"}}, want: true},
		{name: "none receives mail", topo: []events.Function{{Name: "intake"}}},
		{name: "receiver missing", topo: []events.Function{{Name: "mailer", ReceivesMail: true}}, wantErr: "no local mail receiver"},
		{name: "two receive mail", topo: []events.Function{{Name: "intake", ReceivesMail: true}, {Name: "intake2", ReceivesMail: true}}, wantErr: "both receive mail"},
		{name: "the real topology", topo: events.Topology, want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recv, err := mailReceiverOf(tc.topo, fns)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("mailReceiverOf = %v, %v; want an error about %q", recv, err, tc.wantErr)
				}
				return
			}
			if err != nil || (recv != nil) != tc.want {
				t.Errorf("mailReceiverOf = %v, %v; want a receiver: %v", recv, err, tc.want)
			}
		})
	}
}
