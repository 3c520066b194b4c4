<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * The table remembering which course module came from which coursebridge item.
 *
 * @package    local_coursebridge
 * @copyright  2026 coursebridge developers
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_coursebridge\local;

/**
 * Reads and writes local_coursebridge_items; rows whose course module was deleted are forgotten.
 */
class items {
    /** @var string The table's name. */
    const TABLE = 'local_coursebridge_items';

    /**
     * The course's items whose course module still exists, by item key.
     *
     * @param int $courseid
     * @return \stdClass[] Each with itemkey, cmid, contenthash, modname, instance.
     */
    public static function of_course(int $courseid): array {
        global $DB;
        $sql = "SELECT i.itemkey, i.cmid, i.contenthash, m.name AS modname, cm.instance
                  FROM {" . self::TABLE . "} i
                  JOIN {course_modules} cm ON cm.id = i.cmid AND cm.deletioninprogress = 0
                  JOIN {modules} m ON m.id = cm.module
                 WHERE i.courseid = :courseid
              ORDER BY i.itemkey";
        return $DB->get_records_sql($sql, ['courseid' => $courseid]);
    }

    /**
     * One item of the course, or null when it was never published or its module is gone.
     *
     * @param int $courseid
     * @param string $itemkey
     * @return \stdClass|null
     */
    public static function find(int $courseid, string $itemkey): ?\stdClass {
        return self::of_course($courseid)[$itemkey] ?? null;
    }

    /**
     * Remember that a course module came from an item, with the hash of what was published.
     *
     * @param int $courseid
     * @param string $itemkey
     * @param int $cmid
     * @param string $contenthash
     */
    public static function save(int $courseid, string $itemkey, int $cmid, string $contenthash): void {
        global $DB;
        $now = time();
        $row = $DB->get_record(self::TABLE, ['courseid' => $courseid, 'itemkey' => $itemkey]);
        if ($row) {
            $DB->update_record(self::TABLE, (object) [
                'id' => $row->id, 'cmid' => $cmid, 'contenthash' => $contenthash, 'timemodified' => $now,
            ]);
            return;
        }
        $DB->insert_record(self::TABLE, (object) [
            'courseid' => $courseid, 'itemkey' => $itemkey, 'cmid' => $cmid, 'contenthash' => $contenthash,
            'timecreated' => $now, 'timemodified' => $now,
        ]);
    }

    /**
     * Refuse an item published as another kind of module.
     *
     * @param \stdClass $item
     * @param string $expected Module name, e.g. scorm.
     */
    public static function require_module(\stdClass $item, string $expected): void {
        if ($item->modname !== $expected) {
            $a = (object) ['itemkey' => $item->itemkey, 'modname' => $item->modname, 'expected' => $expected];
            throw new \moodle_exception('wrongmodule', 'local_coursebridge', '', $a);
        }
    }
}
