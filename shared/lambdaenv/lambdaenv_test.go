package lambdaenv_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/borderdesk/borderdesk/shared/lambdaenv"
)

func TestLoad(t *testing.T) {
	env := map[string]string{"AWS_REGION": "eu-central-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}
	for k, v := range env {
		t.Setenv(k, v)
	}
	getenv := func(vals map[string]string) func(string) string { return func(k string) string { return vals[k] } }
	if _, err := lambdaenv.Load(context.Background(), getenv(map[string]string{})); err == nil {
		t.Errorf("Load without TABLE_NAME = nil error; want one")
	}
	e, err := lambdaenv.Load(context.Background(), getenv(map[string]string{"TABLE_NAME": "t", "EVENT_BUS_NAME": "b", "LOG_LEVEL": "debug"}))
	if err != nil || e.Table != "t" || e.EventBus != "b" || e.AWS.Region != "eu-central-1" || !e.Log.Enabled(context.Background(), slog.LevelDebug) {
		t.Errorf("Load = %+v, %v; want table t, bus b, region eu-central-1, debug logging", e, err)
	}
	if lambdaenv.Logger("nonsense").Enabled(context.Background(), slog.LevelDebug) {
		t.Errorf("Logger(nonsense) logs debug; want info")
	}
}

func TestRequire(t *testing.T) {
	env := map[string]string{"MAIL_BUCKET": "borderdesk-mail"}
	getenv := func(k string) string { return env[k] }
	if v, err := lambdaenv.Require(getenv, "MAIL_BUCKET"); v != "borderdesk-mail" || err != nil {
		t.Errorf("Require(MAIL_BUCKET) = %q, %v; want its value", v, err)
	}
	if v, err := lambdaenv.Require(getenv, "RAW_BUCKET"); v != "" || err == nil || err.Error() != "RAW_BUCKET is not set" {
		t.Errorf("Require(RAW_BUCKET) = %q, %v; want \"RAW_BUCKET is not set\"", v, err)
	}
}
