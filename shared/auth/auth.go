// Package auth owns who is calling the console API: the claims Borderdesk reads from an
// agent's JWT, and the two ways they are established — verifying a locally issued HS256
// token (the local runtime), or reading the claims API Gateway's JWT authorizer has already
// verified against Cognito (the cloud).
package auth

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/golang-jwt/jwt/v5"

	"github.com/borderdesk/borderdesk/shared/errs"
	"github.com/borderdesk/borderdesk/shared/merchant"
)

// Claims is the caller of an API request. MerchantID scopes every read and write.
type Claims struct {
	Email      string        `json:"email"`
	MerchantID string        `json:"merchant_id"`
	Role       merchant.Role `json:"role"`
}

// MerchantAttribute is the Cognito user attribute that ties an agent to one merchant, and
// MerchantClaim the JWT claim that carries it (Cognito prefixes custom attributes).
const (
	MerchantAttribute = "merchant_id"
	MerchantClaim     = "custom:" + MerchantAttribute
)

// HMAC issues and verifies HS256 tokens for the local runtime.
type HMAC struct {
	secret []byte
	issuer string
	ttl    time.Duration
	now    func() time.Time
}

// NewHMAC returns an HMAC signer with secret, valid for ttl, on clock now.
func NewHMAC(secret []byte, ttl time.Duration, now func() time.Time) *HMAC {
	return &HMAC{secret: secret, issuer: "borderdesk-local", ttl: ttl, now: now}
}

type tokenClaims struct {
	jwt.RegisteredClaims
	Email      string   `json:"email"`
	MerchantID string   `json:"custom:merchant_id"`
	Groups     []string `json:"cognito:groups,omitempty"`
}

// Issue returns a token for a.
func (h *HMAC) Issue(a merchant.Agent) (string, error) {
	now := h.now()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: h.issuer, Subject: a.Email,
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(h.ttl)),
		},
		Email: a.Email, MerchantID: a.MerchantID, Groups: []string{string(a.Role)},
	})
	return tok.SignedString(h.secret)
}

// Authenticate verifies the request's bearer token.
func (h *HMAC) Authenticate(r *http.Request) (Claims, error) {
	scheme, raw, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || raw == "" {
		return Claims{}, errs.E(errs.Unauthorized, "missing bearer token")
	}
	var tc tokenClaims
	_, err := jwt.ParseWithClaims(raw, &tc, func(*jwt.Token) (any, error) { return h.secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(h.issuer), jwt.WithTimeFunc(h.now), jwt.WithExpirationRequired())
	if err != nil {
		msg := "invalid token"
		if errors.Is(err, jwt.ErrTokenExpired) {
			msg = "token expired"
		}
		return Claims{}, errs.Wrap(errs.Unauthorized, err, "%s", msg)
	}
	return claims(tc.Email, tc.MerchantID, tc.Groups)
}

// Authorizer reads the claims that API Gateway's JWT authorizer verified (the cloud). It
// trusts them because the route cannot be reached without passing the authorizer.
type Authorizer struct{}

// Authenticate returns the authorizer's claims for r.
func (Authorizer) Authenticate(r *http.Request) (Claims, error) {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || rc.Authorizer == nil || rc.Authorizer.JWT == nil {
		return Claims{}, errs.E(errs.Unauthorized, "missing authorizer claims")
	}
	c := rc.Authorizer.JWT.Claims
	// API Gateway flattens list claims to "[a b]".
	groups := strings.Fields(strings.Trim(c["cognito:groups"], "[]"))
	return claims(c["email"], c[MerchantClaim], groups)
}

func claims(email, merchantID string, groups []string) (Claims, error) {
	if email == "" || merchantID == "" {
		return Claims{}, errs.E(errs.Unauthorized, "token lacks email or merchant")
	}
	c := Claims{Email: email, MerchantID: merchantID, Role: merchant.RoleAgent}
	for _, g := range groups {
		switch merchant.Role(g) {
		case merchant.RoleAdmin:
			c.Role = merchant.RoleAdmin
		case merchant.RoleSupervisor:
			if c.Role != merchant.RoleAdmin {
				c.Role = merchant.RoleSupervisor
			}
		}
	}
	return c, nil
}
