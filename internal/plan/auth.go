package plan

// Role is what a token may do.
type Role string

// Roles, from least to most privileged.
const (
	RoleAgency     Role = "agency"     // reads everything, writes its own agency's targets
	RoleSupervisor Role = "supervisor" // reads everything, writes nothing
	RoleAdmin      Role = "admin"      // writes anything, including locked periods
)

// Roles lists the valid roles.
var Roles = []Role{RoleAgency, RoleSupervisor, RoleAdmin}

// Principal is the authenticated holder of a token.
type Principal struct {
	TokenID int64
	Name    string // the token's label, shown in revision histories
	Agency  string // Agency.ID; empty for supervisors and admins without one
	Role    Role
}

// CanWrite reports whether p may submit figures for t.
func (p Principal) CanWrite(t *Target) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleAgency:
		return p.Agency != "" && p.Agency == t.Agency
	}
	return false
}

// CanWriteLocked reports whether p may correct a locked period.
func (p Principal) CanWriteLocked() bool { return p.Role == RoleAdmin }

// CanBackdate reports whether p may give a figure its original received
// date (migrating a year from spreadsheets): only an administrator, since
// a backdated figure changes what every replay of the past shows.
func (p Principal) CanBackdate() bool { return p.Role == RoleAdmin }
