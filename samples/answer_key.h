/* answer_key.h: the machine-readable truth written next to a generated case.
 *
 * OUTDIR/answer_key/ holds UTF-8 TSV files, each with a header line; an empty
 * value is an empty string (no \N); no value contains a tab or a newline.
 *
 * files.tsv       path records process_4688 process_sysmon1 service_7036
 *                 service_7040 service_7045 service_4697
 *     One row per EVTX file; path is relative to OUTDIR; counts of records.
 * process.tsv     host time_utc source event_version record_id pid ppid image
 *                 parent_image command_line account sid logon_id integrity elevation
 *     One row per 4688 and Sysmon 1 record. source is 4688 or sysmon1; pid,
 *     ppid and logon_id are decimal; integrity low/medium/high/system or empty;
 *     elevation full/elevated/limited (4688) or empty (Sysmon).
 * service.tsv     host time_utc event_id record_id service_name display_name state
 *                 old_start_type new_start_type image_path service_account sid account
 *     One row per 7036, 7040, 7045 and 4697 record, texts as written.
 * t1489.tsv       host time_utc record_id evidence role verb tool service remote_host
 *                 account command_line echo_of_host echo_of_record_id
 *     What a T1489 detector should find. evidence is process or service; role
 *     direct, launcher (a cmd/powershell wrapper whose child does it) or relay
 *     (net1.exe started by net.exe); verb stop/disable/delete/pause/kill; tool
 *     net/sc/powershell/wmic/taskkill/reg. For service rows (7036 stopped, 7040
 *     disabled) echo_of_* name the 4688 record of the command that caused it,
 *     empty for a stop through the service API with no command; role is direct,
 *     command_line empty, and account the actor where a record identifies it.
 * lookalikes.tsv  host time_utc record_id command_line
 *     Process records that look like service stops and are not.
 *
 * time_utc is TimeCreated as YYYY-MM-DDTHH:MM:SS.fffffffZ. EventRecordIDs of a
 * host's logs never overlap, so host and record_id name one record. */
#ifndef ANSWER_KEY_H
#define ANSWER_KEY_H

#include "case.h"

#define ANSWER_KEY_EVALUE (-20)	/* a value holds a tab or a newline */

/* Writes the five files under outdir/answer_key; the case must be numbered
 * (case_number_records). Returns 0, CASE_ENOMEM, CASE_EIO (case_error_path()
 * names the file) or ANSWER_KEY_EVALUE. */
int answer_key_write(struct sample_case *c, const char *outdir);

#endif
