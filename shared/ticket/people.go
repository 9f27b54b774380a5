package ticket

import (
	"slices"
	"strings"

	"github.com/borderdesk/borderdesk/events"
)

// Person is someone a ticket's events named, known by email. Each field is the pick of the
// best event that said it (rank is the person's role: writer 3, recipient 2, billing 1), so
// the same events in any order give the same person.
type Person struct {
	Email     string `json:"email"`
	Name      string `json:"name,omitempty"`
	Country   string `json:"country,omitempty"`
	Seen      Pick   `json:"seen"`
	NameAt    Pick   `json:"name_at"`
	CountryAt Pick   `json:"country_at"`
}

// meet records the person f names and re-picks the ticket's customer: the person who writes
// beats the parcel's recipient, who beats the billing contact; among equals the earliest
// event, then the lowest event id. Everyone else stays on as a known contact.
func (t *Ticket) meet(f Fact) {
	pick := Pick{Rank: f.Role, At: f.Event.OccurredAt, ID: f.Event.ID}
	c := f.Customer
	if c.Country != "" && (t.CountryAt.ID == "" || pick.better(t.CountryAt)) {
		t.Country, t.CountryAt = c.Country, pick
	}
	if c.Email != "" {
		t.People = addPerson(t.People, Person{
			Email: c.Email, Name: c.Name, Country: c.Country, Seen: pick,
			NameAt: pickIf(c.Name != "", pick), CountryAt: pickIf(c.Country != "", pick),
		})
	}
	t.pickCustomer()
}

func pickIf(ok bool, p Pick) Pick {
	if ok {
		return p
	}
	return Pick{}
}

// addPerson joins p into people (sorted by email): per email, each field from its best pick.
func addPerson(people []Person, p Person) []Person {
	i, found := slices.BinarySearchFunc(people, p.Email, func(a Person, email string) int { return strings.Compare(a.Email, email) })
	if !found {
		return slices.Insert(people, i, p)
	}
	have := &people[i]
	if p.Seen.better(have.Seen) {
		have.Seen = p.Seen
	}
	if p.NameAt.ID != "" && (have.NameAt.ID == "" || p.NameAt.better(have.NameAt)) {
		have.Name, have.NameAt = p.Name, p.NameAt
	}
	if p.CountryAt.ID != "" && (have.CountryAt.ID == "" || p.CountryAt.better(have.CountryAt)) {
		have.Country, have.CountryAt = p.Country, p.CountryAt
	}
	return people
}

// pickCustomer sets Customer to the best person and Contacts to the others.
func (t *Ticket) pickCustomer() {
	t.Contacts = nil
	best := -1
	for i, p := range t.People {
		if best < 0 || p.Seen.better(t.People[best].Seen) {
			best = i
		}
	}
	var c events.Customer
	if best >= 0 {
		p := t.People[best]
		c = events.Customer{Email: p.Email, Name: p.Name, Country: p.Country}
		for i, o := range t.People {
			if i != best {
				t.Contacts = append(t.Contacts, events.Customer{Email: o.Email, Name: o.Name, Country: o.Country})
			}
		}
	}
	if c.Country == "" {
		c.Country = t.Country
	}
	t.Customer = c
}
