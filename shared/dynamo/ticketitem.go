package dynamo

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/borderdesk/borderdesk/shared/ticket"
)

// ticketItem is t as stored: its document and the attributes its indexes read.
func ticketItem(t ticket.Ticket) (map[string]types.AttributeValue, error) {
	sortKey := sortTime(t.UpdatedAt) + "#" + t.ID
	extra := map[string]types.AttributeValue{
		"version":  num(t.Version),
		"status":   str(string(t.Status)),
		"category": str(string(t.Category)),
		"priority": str(string(t.Priority)),
		"gsi1pk":   str(inboxPK(t.MerchantID)),
		"gsi1sk":   str(sortKey),
		"gsi2pk":   str(statusPK(t.MerchantID, t.Status)),
		"gsi2sk":   str(sortKey),
		"gsi3pk":   str(inboxPK(t.MerchantID)),
		"gsi3sk":   str(fmt.Sprintf("%d#%s", t.Priority.Rank(), sortKey)),
	}
	// Absent rather than empty, so "unassigned" is attribute_not_exists(assignee).
	if t.Assignee != "" {
		extra["assignee"] = str(t.Assignee)
	}
	if t.Language != "" {
		extra["language"] = str(t.Language)
	}
	return docItem(ticketPK(t.MerchantID, t.ID), "TICKET", t, extra)
}
