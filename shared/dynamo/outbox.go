package dynamo

import (
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/outbox"
)

// The transactional outbox: the events a state change implies are written as outbox items in
// the same TransactWriteItems as the change, so they commit together or not at all. A relay
// (shared/outbox) puts them on the bus and deletes them: in the cloud driven by the table's
// stream, locally (and as the cloud's safety net) by reading the sparse outbox index.
//
// An outbox item: pk "M#<merchant>#OUTBOX", sk "EV#<event id>", kind "outbox", source
// ("borderdesk.<function>"), detail_type, doc (the event's JSON), and obpk "OUTBOX" / obsk
// "<written at>#<merchant>#<event id>" for the outbox index, oldest first.

// outboxRetain bounds how long an undelivered outbox item is kept (TTL): far past any relay
// retry, so only a relay broken for a week loses anything, and an alarm fires long before.
const outboxRetain = 7 * 24 * time.Hour

// OutboxKind is the kind attribute of outbox items; the stream relay filters on it.
const OutboxKind = "outbox"

func outboxPK(merchantID string) string { return tenant(merchantID) + "#OUTBOX" }

// The relay's port, implemented here.
var _ outbox.Store = (*Store)(nil)

// outboxWrite is the write that puts ev in the outbox, as published by source at at. Events
// carry stable ids, so writing one twice (a retried transaction) or relaying it twice (a
// retried relay) is absorbed by consumers.
func (s *Store) outboxWrite(source string, ev events.Event, at time.Time) (types.TransactWriteItem, error) {
	doc, err := json.Marshal(ev)
	if err != nil {
		return types.TransactWriteItem{}, errs.Wrap(errs.Internal, err, "encode outbox event %s", ev.ID)
	}
	item := key(outboxPK(ev.MerchantID), "EV#"+ev.ID)
	item["kind"] = str(OutboxKind)
	item["source"] = str(source)
	item["detail_type"] = str(string(ev.Type))
	item["doc"] = str(string(doc))
	item["obpk"] = str("OUTBOX")
	item["obsk"] = str(sortTime(at) + "#" + ev.MerchantID + "#" + ev.ID)
	item[Table.TTLAttribute] = num(at.Add(outboxRetain).Unix())
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: item}}, nil
}

// DecodeOutbox reads an outbox item (from the table or a stream image converted to SDK
// attribute values).
func DecodeOutbox(item map[string]types.AttributeValue) (outbox.Record, error) {
	if getS(item, "kind") != OutboxKind {
		return outbox.Record{}, errs.E(errs.Invalid, "item %s/%s is not an outbox item", getS(item, "pk"), getS(item, "sk"))
	}
	var ev events.Event
	if err := json.Unmarshal([]byte(getS(item, "doc")), &ev); err != nil {
		return outbox.Record{}, errs.Wrap(errs.Invalid, err, "decode outbox item %s", getS(item, "sk"))
	}
	return outbox.Record{Source: getS(item, "source"), Event: ev, PK: getS(item, "pk"), SK: getS(item, "sk")}, nil
}
