package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/borderdesk/borderdesk/events"
	"github.com/borderdesk/borderdesk/shared/dynamo"
)

// rawBucket is the logical id of the raw-body bucket: the one intake's RAW_BUCKET names.
func rawBucket(t *testing.T, tpl template) string {
	t.Helper()
	id := ref(dig(tpl.props(tpl.functions()[events.Intake]), "Environment", "Variables", rawBucketEnv))
	if id == "" || tpl.resource(id)["Type"] != "AWS::S3::Bucket" {
		t.Fatalf("intake's %s = %q; want a Ref to a bucket", rawBucketEnv, id)
	}
	return id
}

// consoleBucket is the logical id of the console's bucket: the stack's other bucket.
func consoleBucket(t *testing.T, tpl template) string {
	t.Helper()
	raw, mail := rawBucket(t, tpl), mailBucketOf(t, tpl)
	var others []string
	for id := range tpl.resources("AWS::S3::Bucket") {
		if id != raw && id != mail {
			others = append(others, id)
		}
	}
	if len(others) != 1 {
		t.Fatalf("buckets besides the raw bodies' and the mail's = %v; want the console's only", others)
	}
	return others[0]
}

// TestRawBodies: webhook bodies too large for a table item go to a private, encrypted,
// TLS-only bucket that forgets them with their receipts, and only intake may write there —
// and only write.
func TestRawBodies(t *testing.T) {
	for _, c := range stacks(t) {
		t.Run(c.name, func(t *testing.T) {
			tpl := c.tpl
			bucket := rawBucket(t, tpl)
			p := tpl.props(bucket)
			var tlsOnly bool
			for _, r := range tpl.resources("AWS::S3::BucketPolicy") {
				if ref(dig(r, "Properties", "Bucket")) != bucket {
					continue
				}
				for _, s := range list(dig(r, "Properties", "PolicyDocument", "Statement")) {
					if dig(s, "Effect") == "Deny" && dig(s, "Condition", "Bool", "aws:SecureTransport") == "false" &&
						slices.Contains(list(dig(s, "Action")), any("s3:*")) {
						tlsOnly = true
					}
				}
			}
			var expiry []string
			for _, r := range list(dig(p, "LifecycleConfiguration", "Rules")) {
				expiry = append(expiry, fmt.Sprint(dig(r, "Status"), " ", dig(r, "ExpirationInDays")))
			}
			block, _ := dig(p, "PublicAccessBlockConfiguration").(map[string]any)
			checks := []check{
				{"SSEAlgorithm", dig(list(dig(p, "BucketEncryption", "ServerSideEncryptionConfiguration"))[0], "ServerSideEncryptionByDefault", "SSEAlgorithm"), "AES256"},
				{"TLS-only bucket policy", tlsOnly, true},
				{"lifecycle", fmt.Sprint(expiry), fmt.Sprint([]string{fmt.Sprint("Enabled ", int(dynamo.ReceiptRetention/(24*time.Hour)))})},
				{"DeletionPolicy", tpl.resource(bucket)["DeletionPolicy"], "Retain"},
			}
			for _, field := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
				checks = append(checks, check{field, block[field], true})
			}
			verify(t, "raw bodies bucket", checks)

			fns := tpl.functions()
			for _, f := range c.topology {
				var s3Actions []string
				for _, a := range tpl.actionsOn(fns[f.Name], bucket) {
					if strings.HasPrefix(a, "s3:") {
						s3Actions = append(s3Actions, a)
					}
				}
				env := dig(tpl.props(fns[f.Name]), "Environment", "Variables", rawBucketEnv)
				if f.Name != events.Intake {
					if len(s3Actions) > 0 || env != nil {
						t.Errorf("%s S3 actions = %v, %s = %v; want none", f.Name, s3Actions, rawBucketEnv, env)
					}
					continue
				}
				canRead := slices.ContainsFunc(s3Actions, func(a string) bool {
					return strings.HasPrefix(a, "s3:Get") || strings.HasPrefix(a, "s3:List") || strings.HasPrefix(a, "s3:Delete")
				})
				if !slices.Contains(s3Actions, "s3:PutObject") || canRead {
					t.Errorf("intake S3 actions = %v; want s3:PutObject and no reads or deletes", s3Actions)
				}
			}
		})
	}
}
