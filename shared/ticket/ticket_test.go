package ticket_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/ticket"
)

var at = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func fact(t *testing.T, typ events.DetailType, id string, data any) ticket.Fact {
	t.Helper()
	ev, err := events.New(typ, id, "demo", "test", id, at, data)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ticket.Read(ev)
	if err != nil {
		t.Fatalf("Read(%s) = %v", typ, err)
	}
	return f
}

func TestReadCollectsEveryReference(t *testing.T) {
	tests := []struct {
		typ  events.DetailType
		data any
		want string
	}{
		{events.PaymentFailed, events.Payment{PaymentID: "pi_1", ChargeID: "ch_1", OrderID: "#10482"}, "[charge:ch_1 order:10482 payment:pi_1]"},
		{events.PaymentFailed, events.Payment{PaymentID: "ch_9"}, "[charge:ch_9]"},
		{events.PaymentDisputeOpened, events.Payment{PaymentID: "pi_1", ChargeID: "ch_1", Dispute: &events.Dispute{ID: "dp_1"}}, "[charge:ch_1 dispute:dp_1 payment:pi_1]"},
		{events.ShipmentException, events.Shipment{TrackingNumber: "JD1", OrderID: "10482"}, "[order:10482 tracking:jd1]"},
		{events.ShipmentException, events.Shipment{TrackingNumber: "JD1"}, "[tracking:jd1]"},
		{events.MessageReceived, events.Message{Customer: events.Customer{Email: "a@b.de"}, OrderID: " 7"}, "[order:7]"},
		{events.MessageReceived, events.Message{Customer: events.Customer{Email: "A@b.de"}}, "[email:a@b.de]"},
	}
	for _, tc := range tests {
		if got := fmt.Sprint(fact(t, tc.typ, "e1", tc.data).Refs); got != tc.want {
			t.Errorf("Read(%s %+v).Refs = %s; want %s", tc.typ, tc.data, got, tc.want)
		}
	}
	ev, _ := events.New(events.PaymentFailed, "e2", "demo", "test", "e2", at, events.Payment{})
	if _, err := ticket.Read(ev); err == nil {
		t.Errorf("Read(payment without ids) = nil error; want one: there is nothing to file it under")
	}
	ev.Type = "payment.unknown"
	if _, err := ticket.Read(ev); err == nil {
		t.Errorf("Read(%s) = nil error; want one: no rule", ev.Type)
	}
}

func TestMergeKeepsTheMostUrgentAndNewest(t *testing.T) {
	pay := events.Payment{PaymentID: "pi_1", OrderID: "10482", Status: "requires_payment_method", Amount: events.Money{Amount: 100, Currency: "eur"}}
	failed := fact(t, events.PaymentFailed, "e1", pay)
	pay.Status = "needs_response"
	pay.Dispute = &events.Dispute{ID: "dp_1", Reason: "fraudulent", Status: "needs_response"}
	dispute := fact(t, events.PaymentDisputeOpened, "e2", pay)
	dispute.Event.OccurredAt = at.Add(time.Hour)

	for _, order := range [][]ticket.Fact{{failed, dispute}, {dispute, failed}} {
		tk, _ := ticket.Open("tk_1", order[0])
		ticket.Merge(&tk, order[1])
		if tk.Category != ticket.CategoryChargeback || tk.Priority != ticket.PriorityUrgent || tk.Payment.Status != "needs_response" ||
			!tk.CreatedAt.Equal(at) || !tk.UpdatedAt.Equal(at.Add(time.Hour)) || fmt.Sprint(tk.References) != "[dispute:dp_1 order:10482 payment:pi_1]" {
			t.Errorf("merging %s then %s = %s/%s payment %s, %s–%s; want chargeback/urgent needs_response over the hour",
				order[0].Event.Type, order[1].Event.Type, tk.Category, tk.Priority, tk.Payment.Status, tk.CreatedAt, tk.UpdatedAt)
		}
	}
}

func TestCustomerReplyReopensPendingTicket(t *testing.T) {
	msg := events.Message{Customer: events.Customer{Email: "a@b.de"}, OrderID: "7", Text: "Hallo?"}
	tk, _ := ticket.Open("tk_1", fact(t, events.PaymentFailed, "e1", events.Payment{PaymentID: "pi", OrderID: "7"}))
	tk.Status = ticket.StatusPending
	e := ticket.Merge(&tk, fact(t, events.MessageReceived, "e2", msg))
	if tk.Status != ticket.StatusOpen || e.Kind != ticket.EntryCustomer || e.Body != "Hallo?" {
		t.Errorf("after the customer wrote: status %s, entry %s %q; want open, customer \"Hallo?\"", tk.Status, e.Kind, e.Body)
	}
}

func TestWords(t *testing.T) {
	money := []struct {
		in   events.Money
		want string
	}{
		{events.Money{Amount: 8990, Currency: "eur"}, "89.90 EUR"},
		{events.Money{Amount: 5, Currency: "usd"}, "0.05 USD"},
		{events.Money{Amount: -1250, Currency: "gbp"}, "-12.50 GBP"},
		{events.Money{Amount: 4500, Currency: "jpy"}, "4500 JPY"},
	}
	for _, tc := range money {
		if got := ticket.FormatMoney(tc.in); got != tc.want {
			t.Errorf("FormatMoney(%+v) = %q; want %q", tc.in, got, tc.want)
		}
	}
	subjects := []struct {
		tk   ticket.Ticket
		want string
	}{
		{ticket.Ticket{Category: ticket.CategoryPaymentFailed, OrderID: "10482"}, "Payment failed for order 10482"},
		{ticket.Ticket{Category: ticket.CategoryShippingDelay, Shipment: &ticket.Shipment{Shipment: events.Shipment{TrackingNumber: "JD1"}}}, "Late delivery of parcel JD1"},
		{ticket.Ticket{Category: ticket.CategoryCustomerMessage, Customer: events.Customer{Email: "a@b.de"}}, "Message about a@b.de"},
		{ticket.Ticket{Category: ticket.CategoryCustomerMessage, Topic: "Do you ship to Norway?", Customer: events.Customer{Email: "a@b.de"}}, "Do you ship to Norway?"},
		{ticket.Ticket{Category: ticket.CategoryPaymentFailed, Topic: "Help", OrderID: "7"}, "Payment failed for order 7"},
	}
	for _, tc := range subjects {
		if got := tc.tk.Subject(); got != tc.want {
			t.Errorf("Subject(%s) = %q; want %q", tc.tk.Category, got, tc.want)
		}
	}
	f := fact(t, events.PaymentFailed, "e1", events.Payment{PaymentID: "pi", Amount: events.Money{Amount: 8990, Currency: "eur"}, DeclineCode: "insufficient_funds"})
	if got, want := ticket.Describe(f), "Payment of 89.90 EUR failed. The card has insufficient funds."; got != want {
		t.Errorf("Describe(payment failed) = %q; want %q", got, want)
	}
}

func TestParams(t *testing.T) {
	pay := events.Payment{PaymentID: "pi", Amount: events.Money{Amount: 8990, Currency: "eur"}, DeclineCode: "insufficient_funds"}
	ship := events.Shipment{TrackingNumber: "JD1", Carrier: "dhl", Status: "Exception", Checkpoints: []events.Checkpoint{{Message: "Held by customs"}}}
	tests := []struct {
		f    ticket.Fact
		want string
	}{
		{fact(t, events.PaymentFailed, "e1", pay), "map[amount:8990 currency:eur decline_code:insufficient_funds]"},
		{fact(t, events.ShipmentException, "e2", ship), "map[carrier:dhl last_scan:Held by customs shipment_status:Exception tracking_number:JD1]"},
		{fact(t, events.MessageReceived, "e3", events.Message{Customer: events.Customer{Email: "a@b.de"}, Text: "hi"}), "map[]"},
	}
	for _, tc := range tests {
		if got := fmt.Sprint(ticket.Params(tc.f)); got != tc.want {
			t.Errorf("Params(%s) = %s; want %s", tc.f.Event.Type, got, tc.want)
		}
	}
}
