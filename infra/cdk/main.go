// Command cdk is Borderdesk's cloud: the CDK app whose stack is built from the event
// topology (events.Topology) and the table schema (dynamo.Table), with the Lambda binaries
// and the console `make build` leaves behind. It needs no AWS credentials to synthesize.
//
// Environment:
//
//	BORDERDESK_BUILD_DIR           the functions' build directory; a relative path is from
//	                               the working directory, as a shell would take it (the CDK
//	                               CLI runs the app from infra/cdk, so `make deploy` passes
//	                               ../../build); unset, the repository's build/
//	BORDERDESK_CONSOLE_DIR         the built console, likewise (unset: console/dist)
//	BORDERDESK_AUTH_DOMAIN_PREFIX  the hosted sign-in's Cognito domain prefix (default
//	                               "borderdesk-" and part of the stack's id)
//	BORDERDESK_MAIL_DOMAINS        the domains mail is sent from and received at, comma
//	                               separated ("shop.example,acme.example"): an SES
//	                               identity each, and SES receiving for them; unset, no
//	                               mail is sent or received and synth warns
//	CDK_OUTDIR                     where the cloud assembly goes (default "cdk.out"; the CDK
//	                               CLI sets it)
//	CDK_DEFAULT_ACCOUNT,           pin the stack to an account and region; unset, the stack
//	CDK_DEFAULT_REGION             is environment-agnostic
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/borderdesk/borderdesk/events"
)

// stackName is the CloudFormation stack `cdk deploy` creates.
const stackName = "Borderdesk"

func main() {
	err := run(os.Getenv, os.Getwd)
	jsii.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cdk: %v\n", err)
		os.Exit(1)
	}
}

func run(getenv func(string) string, getwd func() (string, error)) (err error) {
	wd, err := getwd()
	if err != nil {
		return err
	}
	buildDir, err := resolveDir(getenv("BORDERDESK_BUILD_DIR"), "build", wd)
	if err != nil {
		return err
	}
	if err := checkBuild(buildDir, events.Topology); err != nil {
		return err
	}
	consoleDir, err := resolveDir(getenv("BORDERDESK_CONSOLE_DIR"), filepath.Join("console", "dist"), wd)
	if err != nil {
		return err
	}
	if err := checkConsole(consoleDir); err != nil {
		return err
	}
	domains, err := parseMailDomains(getenv(mailDomainsEnv))
	if err != nil {
		return err
	}
	outdir := getenv("CDK_OUTDIR")
	if outdir == "" {
		outdir = "cdk.out"
	}

	// jsii reports a failed synth (an invalid construct, a missing asset) as a panic.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("synth: %v", r)
		}
	}()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
	NewBorderdeskStack(app, stackName, &BorderdeskStackProps{
		StackProps: awscdk.StackProps{
			Description: jsii.String("Borderdesk: customer-service back office"),
			Env:         environment(getenv),
		},
		BuildDir:         buildDir,
		ConsoleDir:       consoleDir,
		AuthDomainPrefix: getenv("BORDERDESK_AUTH_DOMAIN_PREFIX"),
		MailDomains:      domains,
	})
	app.Synth(nil)
	return nil
}

// environment pins the stack to CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION when either is
// set (the CDK CLI sets them from the caller's profile); otherwise it is nil and the stack
// synthesizes offline for any account.
func environment(getenv func(string) string) *awscdk.Environment {
	account, region := getenv("CDK_DEFAULT_ACCOUNT"), getenv("CDK_DEFAULT_REGION")
	if account == "" && region == "" {
		return nil
	}
	return &awscdk.Environment{Account: optional(account), Region: optional(region)}
}

// resolveDir makes dir absolute. A relative dir is taken from the working directory wd, like
// any path a caller types: from the root `go run ./infra/cdk` and BORDERDESK_BUILD_DIR=build
// mean the same build as `cdk synth` from infra/cdk (which runs `go run .` there) and
// ../../build. Only the fallback, used when dir is empty, is from the repository root, so the
// app finds the build from either folder without being told.
func resolveDir(dir, fallback, wd string) (string, error) {
	if filepath.IsAbs(dir) {
		return dir, nil
	}
	if dir != "" {
		return filepath.Join(wd, dir), nil
	}
	root, err := repoRoot(wd)
	if err != nil {
		return "", err
	}
	return filepath.Join(root, fallback), nil
}

// repoRoot is the nearest directory at or above dir holding go.mod.
func repoRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod at or above %s: run from the Borderdesk repository or set absolute BORDERDESK_BUILD_DIR and BORDERDESK_CONSOLE_DIR", dir)
		}
	}
}

// checkBuild says which binary is missing before synth fails on it with a less helpful
// message.
func checkBuild(buildDir string, topology []events.Function) error {
	for _, f := range topology {
		p := filepath.Join(buildDir, f.Name, "bootstrap")
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s is missing: run `make build` first, or set BORDERDESK_BUILD_DIR", p)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// checkConsole says the console is not built before synth fails on a missing asset.
func checkConsole(dir string) error {
	for _, p := range []string{filepath.Join(dir, "index.html"), filepath.Join(dir, consoleAssets)} {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s is missing: run `make build` first, or set BORDERDESK_CONSOLE_DIR", p)
		} else if err != nil {
			return err
		}
	}
	return nil
}
