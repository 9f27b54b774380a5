// Package lambdaenv is what every Lambda main reads from its environment before it wires its
// handler: the AWS configuration the runtime provides, the table, and a JSON logger at the
// LOG_LEVEL the stack sets.
package lambdaenv

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Env is a Lambda's environment.
type Env struct {
	AWS      aws.Config
	Table    string // TABLE_NAME
	EventBus string // EVENT_BUS_NAME
	Log      *slog.Logger
}

// Load reads the environment through getenv. A missing TABLE_NAME is an error: a function
// that cannot reach its table should fail at init, not on its first request.
func Load(ctx context.Context, getenv func(string) string) (Env, error) {
	e := Env{Table: getenv("TABLE_NAME"), EventBus: getenv("EVENT_BUS_NAME"), Log: Logger(getenv("LOG_LEVEL"))}
	if e.Table == "" {
		return e, fmt.Errorf("TABLE_NAME is not set")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return e, fmt.Errorf("load AWS config: %w", err)
	}
	e.AWS = cfg
	return e, nil
}

// Logger returns a JSON logger on stdout at level ("debug", "info", "warn", "error";
// info when unknown).
func Logger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: l}))
}

// Must exits the process, logging err, when err is not nil: for init failures only.
func Must(log *slog.Logger, err error) {
	if err != nil {
		log.Error("init failed", "err", err.Error())
		os.Exit(1)
	}
}

// Require reads the setting name through getenv: an error when it is empty, so a function
// missing its bucket or secret fails at init (like TABLE_NAME), not on the request that
// first needs it.
func Require(getenv func(string) string, name string) (string, error) {
	if v := getenv(name); v != "" {
		return v, nil
	}
	return "", fmt.Errorf("%s is not set", name)
}
