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
 * local_coursebridge_get_status: the plugin's version and what the user may do, for coursebridge moodle doctor.
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

/**
 * Which plugin version is installed, and which of the capabilities asked about the user holds.
 */
class get_status extends external_api {
    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'courseid' => new external_value(PARAM_INT, 'Course to check the capabilities in; 0 for the site', VALUE_DEFAULT, 0),
            'capabilities' => new external_multiple_structure(
                new external_value(PARAM_CAPABILITY, 'A capability name'),
                'Capabilities to check',
                VALUE_DEFAULT,
                []
            ),
        ]);
    }

    /**
     * The version and the capabilities held.
     *
     * @param int $courseid
     * @param string[] $capabilities
     * @return array
     */
    public static function execute(int $courseid = 0, array $capabilities = []): array {
        $params = self::validate_parameters(self::execute_parameters(), [
            'courseid' => $courseid,
            'capabilities' => $capabilities,
        ]);
        $context = $params['courseid'] ? \context_course::instance($params['courseid']) : \context_system::instance();
        self::validate_context($context);
        require_capability('local/coursebridge:publish', $context);

        $plugin = \core_plugin_manager::instance()->get_plugin_info('local_coursebridge');
        $held = [];
        foreach ($params['capabilities'] as $capability) {
            $held[] = [
                'name' => $capability,
                'allowed' => get_capability_info($capability) !== null && has_capability($capability, $context),
            ];
        }
        return [
            'component' => 'local_coursebridge',
            'version' => (int) $plugin->versiondb,
            'release' => (string) $plugin->release,
            'capabilities' => $held,
        ];
    }

    /**
     * Returns.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'component' => new external_value(PARAM_COMPONENT, 'local_coursebridge'),
            'version' => new external_value(PARAM_INT, 'The installed version, as in version.php'),
            'release' => new external_value(PARAM_TEXT, 'The installed release'),
            'capabilities' => new external_multiple_structure(new external_single_structure([
                'name' => new external_value(PARAM_CAPABILITY, 'A capability asked about'),
                'allowed' => new external_value(PARAM_BOOL, 'Whether the user holds it in the context'),
            ])),
        ]);
    }
}
