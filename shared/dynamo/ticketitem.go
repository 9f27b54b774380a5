package dynamo

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/shared/ticket"
)

// agentPK is the by_agent partition of the agent whose id is assignee.
func agentPK(merchantID, assignee string) string { return tenant(merchantID) + "#AGENT#" + assignee }

// activityKey orders tickets by last activity, the id breaking ties.
func activityKey(t ticket.Ticket) string { return sortTime(t.UpdatedAt) + "#" + t.ID }

// ticketItem is t as stored: its document and the attributes its indexes read. A merged
// ticket carries no index attributes at all, so it leaves every inbox view (the inbox, the
// status, priority and agent-queue indexes) in the same write that merges it.
func ticketItem(t ticket.Ticket) (map[string]types.AttributeValue, error) {
	extra := map[string]types.AttributeValue{
		"version":  num(t.Version),
		"status":   str(string(t.Status)),
		"category": str(string(t.Category)),
		"priority": str(string(t.Priority)),
	}
	// Absent rather than empty, so "unassigned" is attribute_not_exists(assignee).
	if t.Assignee != "" {
		extra["assignee"] = str(t.Assignee)
	}
	if t.Language != "" {
		extra["language"] = str(t.Language)
	}
	if t.MergedInto == "" && t.Status != ticket.StatusMerged {
		sortKey := activityKey(t)
		extra["gsi1pk"] = str(inboxPK(t.MerchantID))
		extra["gsi1sk"] = str(sortKey)
		extra["gsi2pk"] = str(statusPK(t.MerchantID, t.Status))
		extra["gsi2sk"] = str(sortKey)
		extra["gsi3pk"] = str(inboxPK(t.MerchantID))
		extra["gsi3sk"] = str(fmt.Sprintf("%d#%s", t.Priority.Rank(), sortKey))
		if t.Assignee != "" {
			extra["agpk"] = str(agentPK(t.MerchantID, t.Assignee))
			extra["agsk"] = str(sortKey)
		}
	}
	return docItem(ticketPK(t.MerchantID, t.ID), "TICKET", t, extra)
}

// refItem is the search item that finds t by ref (a value of t.Refs()): pk
// "M#<merchant>#REF#<ref>", sk the ticket id, and — unless t is merged — rfpk (the same
// partition) and rfsk "<activity>#<ticket id>" for the by_ref index, which search reads
// newest activity first. A merged ticket's items leave the index: its survivor holds the
// same references and is found by them.
func refItem(t ticket.Ticket, ref string) map[string]types.AttributeValue {
	item := key(refPK(t.MerchantID, ref), t.ID)
	item["ticket_id"] = str(t.ID)
	if t.MergedInto == "" && t.Status != ticket.StatusMerged {
		item["rfpk"] = str(refPK(t.MerchantID, ref))
		item["rfsk"] = str(activityKey(t))
	}
	return item
}

// refWrites put t's search items, one per reference, as of t's current activity time.
// Every write of a ticket whose activity time, references or merge changed must include
// them (in the same transaction as the ticket item), or search shows it out of order.
// A Put replaces the item of the same ticket and reference, so nothing goes stale.
func (s *Store) refWrites(t ticket.Ticket) []types.TransactWriteItem {
	var out []types.TransactWriteItem
	for _, r := range t.Refs() {
		out = append(out, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: refItem(t, r)}})
	}
	return out
}
