/* test_xml_event.c: reading libevtx's rendered XML, including its rough edges. */
#include "check.h"
#include "xml_event.h"

static const char sample[] =
	"<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n"
	"  <System>\n"
	"    <Provider Name=\"Service Control Manager\" Guid=\"{555908d1-a6d7-4695-8e1e-26931d2012f4}\" "
	"EventSourceName=\"Service Control Manager\"/>\n"
	"    <EventID Qualifiers=\"16384\">7036</EventID>\n"
	"    <Version>0</Version>\n"
	"    <TimeCreated SystemTime=\"2015-06-23T06:00:46.843750000Z\"/>\n"
	"    <EventRecordID>31</EventRecordID>\n"
	"    <Channel>System</Channel>\n"
	"    <Computer>37L4247F27-26</Computer>\n"
	"    <Security UserID=\"S-1-5-18\"/>\n"
	"  </System>\n"
	"  <EventData>\n"
	"    <Data Name=\"param1\">a &amp; b &lt;c&gt; &#x4e2d;&#25991;</Data>\n"
	"    <Data Name=\"param2\">line1\nline2\x01</Data>\n"
	"    <Data Name=\"empty\"/>\n"
	"    <Data>unnamed</Data>\n"
	"    <Binary>770069007300760063002F0034000000</Binary>\n"
	"  </EventData>\n"
	"</Event>\n";

static const char userdata[] =
	"<Event><System><Provider Name=\"Microsoft-Windows-Eventlog\"/><EventID>1102</EventID>"
	"<TimeCreated SystemTime=\"2020-01-01T00:00:00.000000000Z\"/><EventRecordID>7</EventRecordID>"
	"<Channel>Security</Channel><Computer>DC1</Computer></System>"
	"<UserData><LogFileCleared xmlns=\"x\"><SubjectUserName>bob</SubjectUserName>"
	"<SubjectDomainName>CORP</SubjectDomainName></LogFileCleared></UserData></Event>";

int main(void)
{
	struct xml_event_buf b;
	struct evtx_event ev;

	xml_event_buf_init(&b);
	memset(&ev, 0, sizeof(ev));
	CHECK_INT(xml_event_parse(sample, strlen(sample), &b, &ev), 0);
	CHECK_STR(ev.provider, "Service Control Manager");
	CHECK_INT(ev.event_id, 7036);
	CHECK_INT(ev.event_record_id, 31);
	CHECK_INT(ev.time_created, 130795128468437500ULL);
	CHECK_STR(ev.channel, "System");
	CHECK_STR(ev.computer, "37L4247F27-26");
	CHECK_STR(ev.user_sid, "S-1-5-18");
	CHECK_STR(ev.binary, "770069007300760063002F0034000000");
	CHECK_INT(ev.n_fields, 4);
	CHECK_STR(evtx_event_field(&ev, "param1"), "a & b <c> 中文");
	CHECK_STR(evtx_event_field(&ev, "param2"), "line1\nline2\x01");
	CHECK_STR(evtx_event_field(&ev, "empty"), "");
	CHECK_STR(ev.fields[3].name, "");
	CHECK_STR(ev.fields[3].value, "unnamed");

	memset(&ev, 0, sizeof(ev));
	CHECK_INT(xml_event_parse(userdata, strlen(userdata), &b, &ev), 0);
	CHECK_INT(ev.event_id, 1102);
	CHECK_STR(ev.user_sid, "");
	CHECK_STR(evtx_event_field(&ev, "SubjectUserName"), "bob");
	CHECK_STR(evtx_event_field(&ev, "SubjectDomainName"), "CORP");

	/* EventData whose only child is an empty Data: one empty field, not the markup. */
	static const char only_empty[] = "<Event><System><EventID>1</EventID></System>"
					 "<EventData>\n    <Data/>\n  </EventData></Event>";
	memset(&ev, 0, sizeof(ev));
	CHECK_INT(xml_event_parse(only_empty, strlen(only_empty), &b, &ev), 0);
	CHECK_INT(ev.n_fields, 1);
	CHECK_STR(ev.fields[0].value, "");

	/* Not an event, or cut short: no crash, an error. */
	CHECK(xml_event_parse("<Event><System>", 15, &b, &ev) < 0);
	CHECK(xml_event_parse("", 0, &b, &ev) < 0);
	CHECK(xml_event_parse("<<<>>>&&&;;", 11, &b, &ev) < 0);
	xml_event_buf_release(&b);
	return check_exit();
}
