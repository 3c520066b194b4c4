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
 * local_coursebridge_restore_cartridge: restore an IMS CC 1.1 into an existing course, as Moodle's restore does.
 *
 * @package    local_coursebridge
 * @copyright  2026 coursebridge developers
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_coursebridge\external;

use core_external\external_api;
use core_external\external_function_parameters;
use core_external\external_multiple_structure;
use core_external\external_single_structure;
use core_external\external_value;
use local_coursebridge\local\draft;
use local_coursebridge\local\items;

/**
 * Convert, precheck and execute a restore of an uploaded cartridge, then remember which module came from which item.
 *
 * admin/cli/restore_backup.php cannot do this: it never converts, and only Moodle 2 backups restore unconverted.
 */
class restore_cartridge extends external_api {
    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'courseid' => new external_value(PARAM_INT, 'Course to restore into'),
            'draftitemid' => new external_value(PARAM_INT, 'Draft item holding the .imscc, from webservice/upload.php'),
            'items' => new external_multiple_structure(
                new external_single_structure([
                    'itemkey' => new external_value(PARAM_RAW, 'The coursebridge item: an activity id'),
                    'modname' => new external_value(PARAM_PLUGIN, 'The module the restore makes of it: page, forum, quiz...'),
                    'name' => new external_value(PARAM_TEXT, 'Its title in the cartridge, which becomes the module name'),
                    'contenthash' => new external_value(PARAM_ALPHANUM, 'SHA-256 of its content'),
                ]),
                'The cartridge\'s items, in the cartridge\'s order',
                VALUE_DEFAULT,
                []
            ),
        ]);
    }

    /**
     * Restore the cartridge and map the items to the modules it created.
     *
     * @param int $courseid
     * @param int $draftitemid
     * @param array $items
     * @return array
     */
    public static function execute(int $courseid, int $draftitemid, array $items = []): array {
        global $CFG;
        $params = self::validate_parameters(self::execute_parameters(), [
            'courseid' => $courseid,
            'draftitemid' => $draftitemid,
            'items' => $items,
        ]);
        $context = \context_course::instance($params['courseid']);
        self::validate_context($context);
        require_capability('local/coursebridge:publish', $context);
        require_capability('moodle/restore:restorecourse', $context);
        if (items::of_course($params['courseid'])) {
            throw new \moodle_exception('coursenotempty', 'local_coursebridge');
        }
        require_once($CFG->dirroot . '/backup/util/includes/restore_includes.php');

        $file = draft::single_file($params['draftitemid']);
        self::restore($file, $params['courseid']);

        rebuild_course_cache($params['courseid'], true);
        $modules = self::map_items($params['courseid'], $params['items']);
        return ['modules' => $modules];
    }

    /**
     * Extract, convert, precheck and execute, from the folder the converter expects.
     *
     * @param \stored_file $file
     * @param int $courseid
     */
    private static function restore(\stored_file $file, int $courseid): void {
        global $CFG, $USER;
        $backupid = \restore_controller::get_tempdir_name($courseid, $USER->id);
        $file->extract_to_pathname(get_file_packer('application/zip'), make_backup_temp_directory($backupid));
        $format = \backup_general_helper::detect_backup_format($backupid);
        if ($format !== \backup::FORMAT_IMSCC11) {
            throw new \moodle_exception('notacartridge', 'local_coursebridge', '', $format);
        }
        // The CC converter loads its XML templates relative to the current directory.
        $previousdir = getcwd();
        chdir($CFG->dirroot . '/backup');
        try {
            $controller = new \restore_controller($backupid, $courseid, \backup::INTERACTIVE_NO,
                \backup::MODE_GENERAL, $USER->id, \backup::TARGET_EXISTING_ADDING);
            if ($controller->get_status() == \backup::STATUS_REQUIRE_CONV) {
                $controller->convert();
            }
            // False also means warnings only, which do not stop a restore.
            if (!$controller->execute_precheck()) {
                $errors = $controller->get_precheck_results()['errors'] ?? [];
                if ($errors) {
                    $controller->destroy();
                    throw new \moodle_exception('cartridgefailed', 'local_coursebridge', '', implode('; ', $errors));
                }
            }
            $controller->execute_plan();
            $controller->destroy();
        } finally {
            chdir($previousdir);
        }
    }

    /**
     * Each item takes the first module of its kind and name that no earlier item took; failing that (a name the
     * converter wrote differently), the first module of its kind left, since the restore keeps the cartridge's order.
     *
     * @param int $courseid
     * @param array $items
     * @return array
     */
    private static function map_items(int $courseid, array $items): array {
        $cms = get_fast_modinfo($courseid)->get_cms();
        $taken = [];
        $found = [];
        foreach ([true, false] as $byname) {
            foreach ($items as $index => $item) {
                foreach ($cms as $cm) {
                    if (isset($found[$index]) || isset($taken[$cm->id]) || $cm->modname !== $item['modname']
                            || ($byname && $cm->name !== $item['name'])) {
                        continue;
                    }
                    $taken[$cm->id] = true;
                    $found[$index] = $cm;
                }
            }
        }
        ksort($found);
        $modules = [];
        foreach ($found as $index => $cm) {
            $item = $items[$index];
            items::save($courseid, $item['itemkey'], $cm->id, $item['contenthash']);
            $modules[] = [
                'itemkey' => $item['itemkey'],
                'cmid' => (int) $cm->id,
                'modname' => $cm->modname,
                'instance' => (int) $cm->instance,
                'section' => (int) $cm->sectionnum,
            ];
        }
        return $modules;
    }

    /**
     * Returns.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'modules' => new external_multiple_structure(new external_single_structure([
                'itemkey' => new external_value(PARAM_RAW, 'The coursebridge item'),
                'cmid' => new external_value(PARAM_INT, 'The course module restored from it'),
                'modname' => new external_value(PARAM_PLUGIN, 'Module name'),
                'instance' => new external_value(PARAM_INT, 'Instance id in the module\'s table'),
                'section' => new external_value(PARAM_INT, 'Section number'),
            ])),
        ]);
    }
}
