package main

import (
	"path/filepath"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3deployment"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// consoleAssets is the folder of the console build whose files `vite build` names by content
// hash: they can be cached for good, and old ones must outlive a deploy.
const consoleAssets = "assets"

// hstsMaxAge is how long browsers keep to HTTPS for the console's domain.
const hstsMaxAge = 2 * 365 * 24 * time.Hour

// console is the agent web console: a private bucket served only through CloudFront.
type console struct {
	bucket       awss3.Bucket
	distribution awscloudfront.Distribution
	// origin is https://<distribution domain>: what the API allows cross-origin calls from.
	origin string
	// url is the console's address, origin + "/": where sign-in and sign-out return to.
	url string
}

// newConsole declares the bucket and the distribution. The build and its /config.json are
// deployed later (deploy), once the API and the sign-in they point at exist: the app client
// and the API's CORS need the distribution's domain, so the distribution must need neither.
func newConsole(scope constructs.Construct) console {
	bucket := awss3.NewBucket(scope, jsii.String("ConsoleBucket"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		// Unversioned: the bucket only ever holds a build of a commit; rolling back is
		// deploying the older commit.
		// Retained like the table and the user pool, so deleting the stack never stalls on a
		// non-empty bucket; what stays behind is a copy of public static files.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	acknowledge(bucket, nagRule{id: "AwsSolutions-S1",
		reason: "Holds only the console's public build, written by the deployment and read only by this distribution (origin access control): there is no private data whose access to log"})
	headers := awscloudfront.NewResponseHeadersPolicy(scope, jsii.String("ConsoleHeaders"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment: jsii.String("Borderdesk console security headers"),
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{
				AccessControlMaxAge: duration(hstsMaxAge),
				IncludeSubdomains:   jsii.Bool(true),
				Override:            jsii.Bool(true),
			},
			ContentTypeOptions: &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			FrameOptions: &awscloudfront.ResponseHeadersFrameOptions{
				FrameOption: awscloudfront.HeadersFrameOption_DENY, Override: jsii.Bool(true),
			},
			ReferrerPolicy: &awscloudfront.ResponseHeadersReferrerPolicy{
				ReferrerPolicy: awscloudfront.HeadersReferrerPolicy_STRICT_ORIGIN_WHEN_CROSS_ORIGIN, Override: jsii.Bool(true),
			},
		},
	})
	// The SPA routes in the browser: a path S3 does not have (404, or 403 as S3 answers
	// CloudFront for a missing key) is the app's, so it gets index.html. Not cached, so a
	// file that appears with the next deploy is served at once.
	var spa []*awscloudfront.ErrorResponse
	for _, status := range []float64{403, 404} {
		spa = append(spa, &awscloudfront.ErrorResponse{
			HttpStatus:         jsii.Number(status),
			ResponseHttpStatus: jsii.Number(200),
			ResponsePagePath:   jsii.String("/index.html"),
			Ttl:                awscdk.Duration_Seconds(jsii.Number(0)),
		})
	}
	distribution := awscloudfront.NewDistribution(scope, jsii.String("ConsoleDistribution"), &awscloudfront.DistributionProps{
		Comment: jsii.String("Borderdesk agent console"),
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			// Origin Access Control: only this distribution may read the bucket, signed
			// with SigV4 (the bucket policy names the distribution).
			Origin:                awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(bucket, nil),
			ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
			CachePolicy:           awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
			ResponseHeadersPolicy: headers,
			Compress:              jsii.Bool(true),
		},
		DefaultRootObject: jsii.String("index.html"),
		ErrorResponses:    &spa,
		HttpVersion:       awscloudfront.HttpVersion_HTTP2_AND_3,
	})
	acknowledge(distribution,
		nagRule{id: "AwsSolutions-CFR3",
			reason: "It serves the console's static build only; every call with data goes to the API, whose stage and functions log it"},
		nagRule{id: "AwsSolutions-CFR4",
			reason: "Served on the distribution's own *.cloudfront.net certificate, for which CloudFront fixes the security policy (TLSv1); a custom domain with an ACM certificate and TLSv1.2_2021 is the operator's choice"})
	origin := "https://" + *distribution.DistributionDomainName()
	return console{bucket: bucket, distribution: distribution, origin: origin, url: origin + "/"}
}

// consoleConfig is what the console reads from /config.json when it starts: the API it
// calls and the Cognito hosted sign-in it sends agents to.
type consoleConfig struct {
	apiBaseURL string
	// authority is the user pool's OIDC issuer, https://cognito-idp.<region>.amazonaws.com/<pool id>.
	authority string
	clientID  string
	// domain is the hosted UI's base URL, https://<prefix>.auth.<region>.amazoncognito.com.
	domain string
}

func (cfg consoleConfig) json(c console) map[string]any {
	return map[string]any{
		"mode":       "cognito",
		"apiBaseUrl": cfg.apiBaseURL,
		"cognito": map[string]any{
			"authority":   cfg.authority,
			"clientId":    cfg.clientID,
			"domain":      cfg.domain,
			"redirectUri": c.url,
			"logoutUri":   c.url,
		},
	}
}

// deploy uploads the console build in dir (index.html and assets/, as `vite build` leaves
// them) with a generated /config.json, then invalidates the distribution.
//
// Two deployments, because the files age differently: hashed assets are immutable and are
// never pruned, so a tab still running the previous build can load its lazy chunks; the
// rest (index.html, config.json, public files) is revalidated on every load and pruned.
func (c console) deploy(scope constructs.Construct, dir string, cfg consoleConfig) {
	// The deployment handler's logs expire like every function's; both deployments share the
	// handler, so they share its log group.
	handlerLogs := awslogs.NewLogGroup(scope, jsii.String("ConsoleDeploymentLogs"), &awslogs.LogGroupProps{
		Retention: awslogs.RetentionDays_ONE_MONTH,
	})
	assets := awss3deployment.NewBucketDeployment(scope, jsii.String("ConsoleAssets"), &awss3deployment.BucketDeploymentProps{
		LogGroup:             handlerLogs,
		DestinationBucket:    c.bucket,
		DestinationKeyPrefix: jsii.String(consoleAssets + "/"),
		Sources:              &[]awss3deployment.ISource{awss3deployment.Source_Asset(jsii.String(filepath.Join(dir, consoleAssets)), nil)},
		Prune:                jsii.Bool(false),
		MemoryLimit:          jsii.Number(deploymentMemoryMB),
		CacheControl: &[]awss3deployment.CacheControl{
			awss3deployment.CacheControl_SetPublic(),
			awss3deployment.CacheControl_MaxAge(duration(365 * 24 * time.Hour)),
			awss3deployment.CacheControl_Immutable(),
		},
	})
	entry := awss3deployment.NewBucketDeployment(scope, jsii.String("ConsoleEntry"), &awss3deployment.BucketDeploymentProps{
		LogGroup:          handlerLogs,
		DestinationBucket: c.bucket,
		Sources: &[]awss3deployment.ISource{
			awss3deployment.Source_Asset(jsii.String(dir), &awss3assets.AssetOptions{
				Exclude: jsii.Strings(consoleAssets),
			}),
			awss3deployment.Source_JsonData(jsii.String("config.json"), cfg.json(c), nil),
		},
		// Pruning spares what is excluded: the assets deployed above.
		Exclude:           jsii.Strings(consoleAssets + "/*"),
		MemoryLimit:       jsii.Number(deploymentMemoryMB),
		CacheControl:      &[]awss3deployment.CacheControl{awss3deployment.CacheControl_NoCache()},
		Distribution:      c.distribution,
		DistributionPaths: jsii.Strings("/*"),
	})
	// index.html names the new assets: they must be in the bucket first.
	entry.Node().AddDependency(assets)
	acknowledgeDeploymentHandler(awscdk.Stack_Of(scope))
}

// deploymentMemoryMB is the memory of the function that copies the console into its bucket;
// both deployments share it (CDK makes one handler per memory size).
const deploymentMemoryMB = 512

// acknowledgeDeploymentHandler exempts the function aws-cdk-lib's BucketDeployment runs
// during deploys, whose code, runtime and permissions are aws-cdk-lib's, not ours.
func acknowledgeDeploymentHandler(stack awscdk.Stack) {
	const helper = "aws-cdk-lib's BucketDeployment handler, which runs only during a deploy: "
	for _, h := range children(stack, "Custom::CDKBucketDeployment") {
		acknowledge(h,
			nagRule{id: "AwsSolutions-L1", reason: helper + "aws-cdk-lib chooses its Python runtime and moves it on with its releases"},
			nagRule{id: "Serverless-LambdaLatestVersion", reason: helper + "aws-cdk-lib chooses its Python runtime and moves it on with its releases"},
			nagRule{id: "Serverless-LambdaDLQ", reason: helper + "CloudFormation invokes it for a custom resource and a failure fails (and rolls back) the deploy"})
		if role := h.Node().TryFindChild(jsii.String("ServiceRole")); role != nil {
			acknowledge(role, lambdaBasicExecution)
			if p := role.Node().TryFindChild(jsii.String("DefaultPolicy")); p != nil {
				acknowledge(p, nagRule{id: "AwsSolutions-IAM5",
					reason: helper + "it reads the build from the CDK assets bucket and replaces any object of the console bucket (s3 Get*/List*/Delete*/Abort*), and invalidates the distribution, which CloudFront grants on no narrower resource"})
			}
		}
	}
}
