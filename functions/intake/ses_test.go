package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/functions/intake"
)

// sesReceipt is SES receiving's Lambda action payload as captured in shape: one record, the
// mail's headers, and the receipt with its verdicts. The rule's S3 action stored the mail
// at inbound/<messageId> before.
func sesReceipt(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "ses_receipt.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const sesMessageID = "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g01"

// noProxy is an API Gateway side that fails the test when called.
func noProxy(t *testing.T) intake.APIProxy {
	return func(context.Context, lambdaevents.APIGatewayV2HTTPRequest) (lambdaevents.APIGatewayV2HTTPResponse, error) {
		t.Error("an SES invocation reached the HTTP proxy")
		return lambdaevents.APIGatewayV2HTTPResponse{}, nil
	}
}

// TestSESReceipt runs an SES receipt invocation through the Lambda's entry point: the raw
// mail is read from the mail bucket, the recipients and verdicts from the receipt.
func TestSESReceipt(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	raw := eml(t, "alternative_en")
	if err := f.mail.PutObject(ctx, events.InboundMailPrefix+sesMessageID, "", raw); err != nil {
		t.Fatal(err)
	}
	invoke := f.h.Invoke(noProxy(t))
	for range 2 { // Lambda retries an async invocation: the second is a duplicate
		if out, err := invoke(ctx, sesReceipt(t)); err != nil || out != nil {
			t.Fatalf("Invoke(SES receipt) = %v, %v; want nil, nil", out, err)
		}
	}
	msgs := f.messages(t)
	if len(msgs) != 1 {
		t.Fatalf("published %d messages; want 1", len(msgs))
	}
	m, ev := msgs[0], f.bus.published[0]
	want := events.Trust{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "GRAY", DMARC: "FAIL", Suspicious: true}
	if m.Email.Trust != want {
		t.Errorf("trust = %+v; want %+v (the receipt's verdicts, DMARC's FAIL marking it)", m.Email.Trust, want)
	}
	if ev.MerchantID != "demo" || m.Customer.Email != "emma.clarke@gmail.test" || m.OrderID != "10482" {
		t.Errorf("event for %s from %s about %q; want demo's, from emma.clarke@gmail.test, order 10482", ev.MerchantID, m.Customer.Email, m.OrderID)
	}
	if at := time.Date(2026, 12, 1, 9, 12, 33, 482e6, time.UTC); !ev.OccurredAt.Equal(at) || ev.CorrelationID != events.InboundMailPrefix+sesMessageID {
		t.Errorf("occurred %v, correlation %q; want the receipt's time %v and the mail's key", ev.OccurredAt, ev.CorrelationID, at)
	}
	if len(f.log.receipts) == 0 || f.log.receipts[0].BodyKey != events.InboundMailPrefix+sesMessageID {
		t.Errorf("receipts = %+v; want one pointing at the stored mail", f.log.receipts)
	}
}

// TestSESReceiptSkipsWhatCanNeverBeFiled: a receipt for an address no merchant owns, or of
// bytes that are no mail, is logged and acknowledged (a retry cannot help); a mail missing
// from the bucket fails the invocation so Lambda tries again.
func TestSESReceiptSkipsWhatCanNeverBeFiled(t *testing.T) {
	f := newMailFixture(t)
	ctx := context.Background()
	var ev lambdaevents.SimpleEmailEvent
	if err := json.Unmarshal(sesReceipt(t), &ev); err != nil {
		t.Fatal(err)
	}
	nobody := ev.Records[0]
	nobody.SES.Mail.MessageID = "nobody0000000000000000000000000000000001"
	nobody.SES.Receipt.Recipients = []string{"sales@demo.test"}
	garbage := ev.Records[0]
	garbage.SES.Mail.MessageID = "garbage000000000000000000000000000000001"
	for id, raw := range map[string][]byte{nobody.SES.Mail.MessageID: eml(t, "alternative_en"), garbage.SES.Mail.MessageID: []byte("\x00\x01\x02")} {
		if err := f.mail.PutObject(ctx, events.InboundMailPrefix+id, "", raw); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.h.HandleSES(ctx, lambdaevents.SimpleEmailEvent{Records: []lambdaevents.SimpleEmailRecord{nobody, garbage}}); err != nil {
		t.Errorf("HandleSES(nobody's address, not a mail) = %v; want both acknowledged", err)
	}
	if n := len(f.bus.published); n != 0 {
		t.Errorf("published %d; want none", n)
	}
	// Not stored (yet): the invocation fails, and nothing is filed.
	if err := f.h.HandleSES(ctx, ev); err == nil {
		t.Error("HandleSES(mail not in the bucket) = nil; want an error so Lambda retries")
	}
}

// TestInvokeDispatch: the one Lambda serves API Gateway's HTTP events through the proxy and
// SES's receipts through HandleSES, by the payload's shape.
func TestInvokeDispatch(t *testing.T) {
	f := newMailFixture(t)
	called := 0
	proxy := func(_ context.Context, req lambdaevents.APIGatewayV2HTTPRequest) (lambdaevents.APIGatewayV2HTTPResponse, error) {
		called++
		if req.RawPath != "/webhooks/demo/stripe" {
			t.Errorf("proxy got path %q; want the request's", req.RawPath)
		}
		return lambdaevents.APIGatewayV2HTTPResponse{StatusCode: 200}, nil
	}
	invoke := f.h.Invoke(proxy)
	httpEvent := []byte(`{"version":"2.0","routeKey":"POST /webhooks/{merchantId}/{provider}","rawPath":"/webhooks/demo/stripe",` +
		`"requestContext":{"http":{"method":"POST","path":"/webhooks/demo/stripe"}},"body":"{}"}`)
	out, err := invoke(context.Background(), httpEvent)
	if resp, ok := out.(lambdaevents.APIGatewayV2HTTPResponse); err != nil || !ok || resp.StatusCode != 200 || called != 1 {
		t.Errorf("Invoke(HTTP event) = %v, %v (proxy called %d); want the proxy's answer", out, err, called)
	}
	// An SES receipt never reaches the proxy (the mail is missing here, so it fails).
	if _, err := invoke(context.Background(), bytes.ReplaceAll(sesReceipt(t), []byte(sesMessageID), []byte("missing"))); err == nil || called != 1 {
		t.Errorf("Invoke(SES receipt of a missing mail) = %v, proxy called %d; want HandleSES's error and no proxy call", err, called)
	}
	if _, err := invoke(context.Background(), []byte(`not json`)); err == nil {
		t.Error("Invoke(not JSON) = nil; want an error")
	}
}
