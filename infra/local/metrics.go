package local

import (
	"log/slog"

	"github.com/borderdesk/borderdesk/shared/metrics"
)

// metricsFor is what function records locally: the metrics the cloud would count, as debug
// log lines (BORDERDESK_LOG=debug shows them).
func metricsFor(log *slog.Logger, function string) metrics.Recorder {
	return metrics.NewLog(log.With("function", function))
}
