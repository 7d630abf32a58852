/* evtx_format.h: the Windows XML Event Log (EVTX) on-disk format, as constants.
 *
 * Shared by everything that reads or writes EVTX bytes. Sources: [MS-EVEN6]
 * (binary XML), libyal's "Windows XML Event Log (EVTX)" format notes, and files
 * written by Windows. All integers are little-endian; offsets are in bytes. */
#ifndef EVTX_FORMAT_H
#define EVTX_FORMAT_H

/* ---- File header: the first 4096 bytes of the file ---------------------- */
#define EVTX_FILE_SIGNATURE		"ElfFile"	/* 8 bytes with the NUL */
#define EVTX_SIGNATURE_LEN		8
#define EVTX_FILE_HEADER_BLOCK_SIZE	4096	/* chunks start here */
#define EVTX_FILE_HEADER_SIZE		128	/* value of the header-size field */

#define EVTX_FH_SIGNATURE		0	/* 8 */
#define EVTX_FH_FIRST_CHUNK		8	/* u64: number of the oldest chunk */
#define EVTX_FH_LAST_CHUNK		16	/* u64: number of the current chunk */
#define EVTX_FH_NEXT_RECORD_ID		24	/* u64: number the next record will get */
#define EVTX_FH_HEADER_SIZE		32	/* u32: 128 */
#define EVTX_FH_MINOR_VERSION		36	/* u16 */
#define EVTX_FH_MAJOR_VERSION		38	/* u16 */
#define EVTX_FH_BLOCK_SIZE		40	/* u16: 4096, the offset of the first chunk */
#define EVTX_FH_CHUNK_COUNT		42	/* u16: chunks in use (may lag behind the file) */
#define EVTX_FH_FLAGS			120	/* u32: EVTX_FILE_FLAG_* */
#define EVTX_FH_CHECKSUM		124	/* u32: CRC32 of bytes [0, 120) */
#define EVTX_FH_CHECKSUM_LEN		120

#define EVTX_MAJOR_VERSION		3
#define EVTX_MINOR_VERSION		1	/* Vista and later; 2 on Windows 10 2004 and later */
#define EVTX_MINOR_VERSION_2		2

#define EVTX_FILE_FLAG_DIRTY		0x0001	/* not closed cleanly */
#define EVTX_FILE_FLAG_FULL		0x0002	/* full and not allowed to wrap */

/* ---- Chunk: 64 KiB, a 512-byte header, then records, then unused space ---- */
#define EVTX_CHUNK_SIGNATURE		"ElfChnk"	/* 8 bytes with the NUL */
#define EVTX_CHUNK_SIZE			65536
#define EVTX_CHUNK_HEADER_SIZE		512	/* records start here */
#define EVTX_CHUNK_HEADER_FIELDS_SIZE	128	/* value of the header-size field */

#define EVTX_CH_SIGNATURE		0	/* 8 */
#define EVTX_CH_FIRST_RECORD_NUMBER	8	/* u64 */
#define EVTX_CH_LAST_RECORD_NUMBER	16	/* u64 */
#define EVTX_CH_FIRST_RECORD_ID		24	/* u64 */
#define EVTX_CH_LAST_RECORD_ID		32	/* u64 */
#define EVTX_CH_HEADER_SIZE		40	/* u32: 128 */
#define EVTX_CH_LAST_RECORD_OFFSET	44	/* u32: chunk offset of the last record */
#define EVTX_CH_FREE_SPACE_OFFSET	48	/* u32: chunk offset just past the last record */
#define EVTX_CH_RECORDS_CHECKSUM	52	/* u32: CRC32 of [512, free space offset) */
#define EVTX_CH_FLAGS			120	/* u32 */
#define EVTX_CH_HEADER_CHECKSUM		124	/* u32: CRC32 of [0, 120) then [128, 512) */
#define EVTX_CH_STRING_TABLE		128	/* 64 x u32: heads of the name hash chains */
#define EVTX_CH_TEMPLATE_TABLE		384	/* 32 x u32: heads of the template chains */

#define EVTX_CH_CHECKSUM_PART1_LEN	120	/* header CRC covers [0, 120) ... */
#define EVTX_CH_CHECKSUM_PART2		128	/* ... and [128, 512) */
#define EVTX_CHUNK_STRING_BUCKETS	64	/* a name goes in bucket hash % 64 */
#define EVTX_CHUNK_TEMPLATE_BUCKETS	32

/* Every chunk header written by Windows carries 1 here; its meaning is not documented. */
#define EVTX_CHUNK_FLAGS_DEFAULT	0x0001

/* ---- Event record ------------------------------------------------------- */
#define EVTX_RECORD_SIGNATURE		0x00002a2aU	/* "**\0\0" read as u32 */
#define EVTX_RECORD_HEADER_SIZE		24	/* binary XML starts here */
#define EVTX_RECORD_TRAILER_SIZE	4	/* copy of the size */
#define EVTX_RECORD_ALIGNMENT		8	/* Windows pads records to a multiple of 8 */

#define EVTX_REC_SIGNATURE		0	/* u32 */
#define EVTX_REC_SIZE			4	/* u32: whole record, signature to size copy */
#define EVTX_REC_NUMBER			8	/* u64: record number (EventRecordID in live logs) */
#define EVTX_REC_WRITTEN_TIME		16	/* u64: FILETIME the record was written */

/* ---- Binary XML tokens ([MS-EVEN6] 3.1.4.7) ------------------------------ */
enum evtx_token {
	EVTX_TOKEN_EOF			= 0x00,
	EVTX_TOKEN_OPEN_START_ELEMENT	= 0x01,	/* | MORE: the element has attributes */
	EVTX_TOKEN_CLOSE_START_ELEMENT	= 0x02,	/* '>' */
	EVTX_TOKEN_CLOSE_EMPTY_ELEMENT	= 0x03,	/* '/>' */
	EVTX_TOKEN_END_ELEMENT		= 0x04,	/* '</name>' */
	EVTX_TOKEN_VALUE		= 0x05,	/* | MORE: more text follows */
	EVTX_TOKEN_ATTRIBUTE		= 0x06,	/* | MORE: another attribute follows */
	EVTX_TOKEN_CDATA_SECTION	= 0x07,
	EVTX_TOKEN_CHAR_REF		= 0x08,
	EVTX_TOKEN_ENTITY_REF		= 0x09,
	EVTX_TOKEN_PI_TARGET		= 0x0a,
	EVTX_TOKEN_PI_DATA		= 0x0b,
	EVTX_TOKEN_TEMPLATE_INSTANCE	= 0x0c,
	EVTX_TOKEN_NORMAL_SUBSTITUTION	= 0x0d,
	EVTX_TOKEN_OPTIONAL_SUBSTITUTION = 0x0e,	/* element or attribute dropped when the value is NULL */
	EVTX_TOKEN_FRAGMENT_HEADER	= 0x0f,
};
#define EVTX_TOKEN_FLAG_MORE		0x40
#define EVTX_TOKEN_MASK			0x0f	/* token & mask is the enum value */

/* Fragment header: token, major version 1, minor version 1, flags 0. */
#define EVTX_FRAGMENT_HEADER_SIZE	4
#define EVTX_FRAGMENT_MAJOR_VERSION	1
#define EVTX_FRAGMENT_MINOR_VERSION	1

/* Element start: token, u16 dependency id, u32 data size, u32 name offset.
 * The data size counts everything after itself up to and including the end
 * (or close-empty) token. The dependency id is the substitution whose NULL
 * value removes the element, or EVTX_DEPENDENCY_NONE. */
#define EVTX_ELEMENT_START_SIZE		11
#define EVTX_ELEMENT_SIZE_FIELD		3	/* offset of the data size in the element start */
#define EVTX_DEPENDENCY_NONE		0xffff

/* Attribute: token, u32 name offset, then its value. An element with
 * attributes has a u32 attribute-list size right after its name. */
#define EVTX_ATTRIBUTE_HEADER_SIZE	5

/* Name, at a chunk offset (stored inline at its first use in a chunk, just
 * after the u32 that refers to it): u32 next name in the same hash bucket,
 * u16 hash, u16 character count, UTF-16LE characters, a UTF-16 NUL. */
#define EVTX_NAME_HEADER_SIZE		8
#define EVTX_NAME_HASH_MULTIPLIER	65599U	/* hash = hash * 65599 + unit, low 16 bits kept */

/* Value text: token, value type (string), u16 character count, UTF-16LE characters. */
#define EVTX_VALUE_TEXT_HEADER_SIZE	4

/* Substitution: token, u16 substitution index, u8 value type. */
#define EVTX_SUBSTITUTION_SIZE		4

/* Template instance: token, u8 (1), u32 template id (first 4 bytes of the
 * template GUID), u32 chunk offset of the definition. The definition follows
 * at once when that offset points just past itself; otherwise it was written
 * earlier in the chunk. Definition: u32 next template in the same bucket,
 * GUID, u32 data size, then fragment header, element, EOF token (the data). */
#define EVTX_TEMPLATE_INSTANCE_SIZE	10
#define EVTX_TEMPLATE_INSTANCE_VERSION	1
#define EVTX_TEMPLATE_DEF_HEADER_SIZE	24
#define EVTX_TEMPLATE_DEF_GUID		4	/* offset of the GUID in the definition */
#define EVTX_TEMPLATE_DEF_DATA_SIZE	20	/* offset of the data size in the definition */

/* Template instance data: u32 value count, count x (u16 size, u8 type, u8 0),
 * then the values back to back. */
#define EVTX_VALUE_DESCRIPTOR_SIZE	4

/* ---- Value types ([MS-EVEN6] 2.2.12) ------------------------------------- */
enum evtx_value_type {
	EVTX_VALUE_NULL		= 0x00,
	EVTX_VALUE_STRING	= 0x01,	/* UTF-16LE, count from the value size */
	EVTX_VALUE_ANSI_STRING	= 0x02,
	EVTX_VALUE_INT8		= 0x03,
	EVTX_VALUE_UINT8	= 0x04,
	EVTX_VALUE_INT16	= 0x05,
	EVTX_VALUE_UINT16	= 0x06,
	EVTX_VALUE_INT32	= 0x07,
	EVTX_VALUE_UINT32	= 0x08,
	EVTX_VALUE_INT64	= 0x09,
	EVTX_VALUE_UINT64	= 0x0a,
	EVTX_VALUE_REAL32	= 0x0b,
	EVTX_VALUE_REAL64	= 0x0c,
	EVTX_VALUE_BOOL		= 0x0d,	/* u32, 0 or 1 */
	EVTX_VALUE_BINARY	= 0x0e,
	EVTX_VALUE_GUID		= 0x0f,	/* 16 bytes: u32, u16, u16, 8 bytes */
	EVTX_VALUE_SIZE		= 0x10,	/* template type only; the value is HEX_INT32 or HEX_INT64 */
	EVTX_VALUE_FILETIME	= 0x11,	/* u64, 100 ns since 1601-01-01 UTC */
	EVTX_VALUE_SYSTEMTIME	= 0x12,	/* 8 x u16 */
	EVTX_VALUE_SID		= 0x13,	/* revision, count, 6-byte big-endian authority, count x u32 */
	EVTX_VALUE_HEX_INT32	= 0x14,	/* u32 shown as hex */
	EVTX_VALUE_HEX_INT64	= 0x15,	/* u64 shown as hex */
	EVTX_VALUE_EVT_HANDLE	= 0x20,
	EVTX_VALUE_BINXML	= 0x21,	/* binary XML: a fragment with a template instance, then EOF */
	EVTX_VALUE_EVT_XML	= 0x23,
};
#define EVTX_VALUE_ARRAY_FLAG		0x80	/* array of the base type */

#define EVTX_GUID_SIZE			16
#define EVTX_SID_MAX_SUBAUTHORITIES	15
#define EVTX_SID_MAX_SIZE		(8 + 4 * EVTX_SID_MAX_SUBAUTHORITIES)

/* ---- Event header values ------------------------------------------------- */
enum evtx_level {
	EVTX_LEVEL_LOG_ALWAYS	= 0,	/* shown as "Information" */
	EVTX_LEVEL_CRITICAL	= 1,
	EVTX_LEVEL_ERROR	= 2,
	EVTX_LEVEL_WARNING	= 3,
	EVTX_LEVEL_INFO		= 4,
	EVTX_LEVEL_VERBOSE	= 5,
};

#define EVTX_KEYWORD_AUDIT_FAILURE	0x0010000000000000ULL
#define EVTX_KEYWORD_AUDIT_SUCCESS	0x0020000000000000ULL
#define EVTX_KEYWORD_CLASSIC		0x0080000000000000ULL	/* events from classic (pre-Vista) sources */
#define EVTX_KEYWORD_RESERVED_63	0x8000000000000000ULL	/* set on System, Security and Sysmon events */

/* 100 ns intervals from 1601-01-01 to 1970-01-01. */
#define EVTX_FILETIME_UNIX_EPOCH	116444736000000000ULL
#define EVTX_FILETIME_PER_SECOND	10000000ULL

#endif
