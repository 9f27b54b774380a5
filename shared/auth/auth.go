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

// Claims is the caller of an API request. Subject (the token's sub: the agent's
// merchant.Agent ID) is who they are; Email is only for showing them — a Cognito user may be
// able to change it, so nothing is keyed or decided by it. MerchantID scopes every read and
// write. Role is the most privileged of the caller's Cognito groups Borderdesk knows, "" if
// none; what it allows is decided by Allows.
type Claims struct {
	Subject    string        `json:"sub"`
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

// Issue returns a token for a, whose ID is its sub.
func (h *HMAC) Issue(a merchant.Agent) (string, error) {
	now := h.now()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: h.issuer, Subject: a.ID,
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(h.ttl)),
		},
		Email: a.Email, MerchantID: a.MerchantID, Groups: groups(a.Role),
	})
	return tok.SignedString(h.secret)
}

// groups are the Cognito groups a token for an agent with role r lists: none without a role.
func groups(r merchant.Role) []string {
	if r == "" {
		return nil
	}
	return []string{string(r)}
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
	return claims(tc.Subject, tc.Email, tc.MerchantID, tc.Groups)
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
	return claims(c["sub"], c["email"], c[MerchantClaim], groups)
}

func claims(sub, email, merchantID string, groups []string) (Claims, error) {
	if sub == "" || merchantID == "" {
		return Claims{}, errs.E(errs.Unauthorized, "token lacks sub or merchant")
	}
	return Claims{Subject: sub, Email: email, MerchantID: merchantID, Role: highestRole(groups)}, nil
}

// Roles are the roles Borderdesk knows, least privileged first: each may do what those
// before it may.
var Roles = []merchant.Role{merchant.RoleAgent, merchant.RoleSupervisor, merchant.RoleAdmin}

// rank is r's place in Roles, or -1 for a role Borderdesk does not know (or none).
func rank(r merchant.Role) int {
	for i, known := range Roles {
		if r == known {
			return i
		}
	}
	return -1
}

// Allows reports whether a caller with role have may call what needs at least role need.
// No role, or one Borderdesk does not know, allows nothing.
func Allows(have, need merchant.Role) bool {
	return rank(have) >= 0 && rank(have) >= rank(need)
}

// highestRole is the most privileged known role among a user's groups, or "" when they are
// in none: a user nobody put in a group is authenticated but may do nothing.
func highestRole(groups []string) merchant.Role {
	var best merchant.Role
	for _, g := range groups {
		if r := merchant.Role(g); rank(r) > rank(best) {
			best = r
		}
	}
	return best
}
